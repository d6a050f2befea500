package dlp

import (
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
)

// The fake values of the tests are built here, at test time, from their
// documented shape: a prefix, and a body that spells FAKE or TEST (or,
// where only hexadecimal is allowed, dead/beef/c0ffee), so that no source
// file holds a string a push-protection scanner would take for a live
// secret, and nobody could.

const (
	alnumFill = "FAKE0TEST1fake2test3NOTREAL4notreal5EXAMPL6example7DEMO8demo9"
	hexFill   = "0123456789abcdefdeadbeefc0ffee00feedface0badc0de"
	lettersOK = "FAKEtestNOTrealDEMOsampleONLYfakeTESTnotREALdemoSAMPLEonly"
)

// fill repeats pattern to n characters.
func fill(pattern string, n int) string {
	return strings.Repeat(pattern, n/len(pattern)+1)[:n]
}

func fakeAlnum(n int) string   { return fill(alnumFill, n) }
func fakeHex(n int) string     { return fill(hexFill, n) }
func fakeLetters(n int) string { return fill(lettersOK, n) }

// fakeB64 is a 40-character AWS-secret-shaped value: mixed case, digits,
// "/" and "+".
func fakeB64(n int) string { return fill("FAKEsecret0/TEST+key1notREAL2demo3Sample4", n) }

func fakeOpenAIProject() string {
	return "sk-" + "proj-" + fakeAlnum(58) + "T3Blbk" + "FJ" + fakeAlnum(58)
}

func fakeAnthropic(kind string) string {
	return "sk-" + "ant-" + kind + "-" + fakeAlnum(93) + "AA"
}

// luhnComplete appends the check digit that makes digits pass Luhn.
func luhnComplete(digits string) string {
	for d := '0'; d <= '9'; d++ {
		if luhn([]byte(digits + string(d))) {
			return digits + string(d)
		}
	}
	panic("unreachable")
}

// ibanComplete computes the check digits of an IBAN for a country and a
// BBAN.
func ibanComplete(country, bban string) string {
	var num strings.Builder
	for _, c := range bban + country + "00" {
		if c >= 'A' && c <= 'Z' {
			fmt.Fprintf(&num, "%d", c-'A'+10)
		} else {
			num.WriteRune(c)
		}
	}
	n, _ := new(big.Int).SetString(num.String(), 10)
	check := 98 - new(big.Int).Mod(n, big.NewInt(97)).Int64()
	return fmt.Sprintf("%s%02d%s", country, check, bban)
}

// groupEvery writes s in groups of n joined by sep.
func groupEvery(s string, n int, sep string) string {
	var parts []string
	for len(s) > n {
		parts = append(parts, s[:n])
		s = s[n:]
	}
	return strings.Join(append(parts, s), sep)
}

func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// fakeJWT is a token of header and payload JSON, and a signature.
func fakeJWT(header, payload, sig string) string {
	return b64url(header) + "." + b64url(payload) + "." + sig
}
