package dlp

import (
	"strconv"
	"strings"
)

// nationalOrIBAN tries the detectors that begin with a letter and are
// not credentials.
func nationalOrIBAN(b []byte, i int, res Result) int {
	if end := nino(b, i, res); end > 0 {
		return end
	}
	if isUpper(b[i]) {
		return iban(b, i, res)
	}
	return 0
}

var ninoWords = []string{"national insurance", "nino", "ni number", "ni no", "nin$", "ni$", "insurance number"}

func upper(c byte) byte {
	if isLower(c) {
		return c - 'a' + 'A'
	}
	return c
}

// nino reads a UK National Insurance number, in either case and spaced
// or dashed in any way people write it (AB123456C, AB 12 34 56 C,
// ab 123456 c, AB-12-34-56-C): two prefix letters (neither D, F, I, Q, U
// nor V; the second not O; not BG, GB, KN, NK, NT, TN or ZZ), six digits,
// and a suffix A to D.
func nino(b []byte, i int, res Result) int {
	if len(b)-i < 9 || !isLetter(b[i]) || !isLetter(b[i+1]) {
		return 0
	}
	// Cheap rejection first: most words have no digit in third place.
	if k := i + 2; !isDigit(b[k]) && !(b[k] == ' ' || b[k] == '-') {
		return 0
	}
	p1, p2 := upper(b[i]), upper(b[i+1])
	const bad1, bad2 = "DFIQUV", "DFIOQUV"
	if strings.IndexByte(bad1, p1) >= 0 || strings.IndexByte(bad2, p2) >= 0 {
		return 0
	}
	switch string([]byte{p1, p2}) {
	case "BG", "GB", "KN", "NK", "NT", "TN", "ZZ":
		return 0
	}
	j := i + 2
	var digits [6]byte
	for pair := 0; pair < 3; pair++ {
		if j < len(b) && (b[j] == ' ' || b[j] == '-') {
			j++
		}
		if j+1 >= len(b) || !isDigit(b[j]) || !isDigit(b[j+1]) {
			return 0
		}
		digits[2*pair], digits[2*pair+1] = b[j], b[j+1]
		j += 2
	}
	if j < len(b) && (b[j] == ' ' || b[j] == '-') {
		j++
	}
	if j >= len(b) {
		return 0
	}
	suffix := upper(b[j])
	if suffix < 'A' || suffix > 'D' || !endsWord(b, j+1, isAlnum) {
		return 0
	}
	lowerCase := isLower(b[i]) || isLower(b[i+1]) || isLower(b[j])
	conf := Medium
	if lowerCase {
		conf = Low
	}
	if nearWords(b, i, j+1, 40, 20, ninoWords) {
		conf++
	}
	res.add(UKNINO, string([]byte{p1, p2})+" ** ** ** "+string(suffix), conf)
	return j + 1
}

// ibanRegistry is, per country or territory, the IBAN's length and the
// BBAN's format as the SWIFT IBAN registry writes it (n digits, a upper
// case letters, c letters or digits), with the countries of the
// experimental (partial) list and the territories that use their
// country's format.
var ibanRegistry = map[string]string{
	"AD": "4!n4!n12!c", "AE": "3!n16!n", "AL": "8!n16!c", "AT": "5!n11!n", "AZ": "4!a20!c", "BA": "3!n3!n8!n2!n",
	"BE": "3!n7!n2!n", "BG": "4!a4!n2!n8!c", "BH": "4!a14!c", "BI": "5!n5!n11!n2!n", "BR": "8!n5!n10!n1!a1!c",
	"BY": "4!c4!n16!c", "CH": "5!n12!c", "CR": "4!n14!n", "CY": "3!n5!n16!c", "CZ": "4!n6!n10!n", "DE": "8!n10!n",
	"DJ": "5!n5!n11!n2!n", "DK": "4!n9!n1!n", "DO": "4!c20!n", "EE": "2!n2!n11!n1!n", "EG": "4!n4!n17!n",
	"ES": "4!n4!n1!n1!n10!n", "FI": "3!n11!n", "FK": "2!a12!n", "FO": "4!n9!n1!n", "FR": "5!n5!n11!c2!n",
	"GB": "4!a6!n8!n", "GE": "2!a16!n", "GI": "4!a15!c", "GL": "4!n9!n1!n", "GR": "3!n4!n16!c", "GT": "4!c20!c",
	"HN": "4!a20!n", "HR": "7!n10!n", "HU": "3!n4!n1!n15!n1!n", "IE": "4!a6!n8!n", "IL": "3!n3!n13!n",
	"IQ": "4!a3!n12!n", "IS": "4!n2!n6!n10!n", "IT": "1!a5!n5!n12!c", "JO": "4!a4!n18!c", "KW": "4!a22!c",
	"KZ": "3!n13!c", "LB": "4!n20!c", "LC": "4!a24!c", "LI": "5!n12!c", "LT": "5!n11!n", "LU": "3!n13!c",
	"LV": "4!a13!c", "LY": "3!n3!n15!n", "MC": "5!n5!n11!c2!n", "MD": "2!c18!c", "ME": "3!n13!n2!n",
	"MK": "3!n10!c2!n", "MN": "4!n12!n", "MR": "5!n5!n11!n2!n", "MT": "4!a5!n18!c", "MU": "4!a2!n2!n12!n3!n3!a",
	"NI": "4!a20!n", "NL": "4!a10!n", "NO": "4!n6!n1!n", "OM": "3!n16!c", "PK": "4!a16!c", "PL": "8!n16!n",
	"PS": "4!a21!c", "PT": "4!n4!n11!n2!n", "QA": "4!a21!c", "RO": "4!a16!c", "RS": "3!n13!n2!n", "RU": "9!n5!n15!c",
	"SA": "2!n18!c", "SC": "4!a2!n2!n16!n3!a", "SD": "2!n12!n", "SE": "3!n16!n1!n", "SI": "5!n8!n2!n",
	"SK": "4!n6!n10!n", "SM": "1!a5!n5!n12!c", "SO": "4!n3!n12!n", "ST": "4!n4!n11!n2!n", "SV": "4!a20!n",
	"TL": "3!n14!n2!n", "TN": "2!n3!n13!n2!n", "TR": "5!n1!n16!c", "UA": "6!n19!c", "VA": "3!n15!n",
	"VG": "4!a16!n", "XK": "4!n10!n2!n", "YE": "4!a4!n18!c",
	// The experimental list (partial registries): lengths as published,
	// any letters or digits.
	"AO": "21!c", "BF": "24!c", "BJ": "24!c", "CF": "23!c", "CG": "23!c", "CI": "24!c", "CM": "23!c", "CV": "21!c",
	"DZ": "22!c", "GA": "23!c", "GQ": "23!c", "GW": "21!c", "IR": "22!c", "KM": "23!c", "MA": "24!c", "MG": "23!c",
	"ML": "24!c", "MZ": "21!c", "NE": "24!c", "SN": "24!c", "TD": "23!c", "TG": "24!c",
}

// ibanTerritories use their country's format under their own code.
var ibanTerritories = map[string]string{
	"GF": "FR", "GP": "FR", "MQ": "FR", "RE": "FR", "YT": "FR", "PM": "FR", "NC": "FR", "PF": "FR", "TF": "FR",
	"WF": "FR", "BL": "FR", "MF": "FR", "AX": "FI",
}

// ibanFormats is the registry expanded: per code, one class letter per
// BBAN character.
var ibanFormats = func() map[string]string {
	out := map[string]string{}
	for code, f := range ibanRegistry {
		out[code] = expandBBAN(f)
	}
	for code, country := range ibanTerritories {
		out[code] = out[country]
	}
	return out
}()

func expandBBAN(f string) string {
	var sb strings.Builder
	// Parse pairs of <count>!<class>.
	for k := 0; k < len(f); {
		e := k
		for e < len(f) && f[e] >= '0' && f[e] <= '9' {
			e++
		}
		n, _ := strconv.Atoi(f[k:e])
		class := f[e+1] // skip "!"
		sb.WriteString(strings.Repeat(string(class), n))
		k = e + 2
	}
	return sb.String()
}

func isIBANChar(c byte) bool { return isUpper(c) || isDigit(c) }

// iban reads a country code, two check digits and the account part,
// plain, in groups, or with the spaces, dashes or dots of national
// formats (one kind of separator), and accepts it when the length and
// format are the country's and the mod-97 check holds. An IBAN glued to
// an address (@) or to a character outside ASCII does not stand alone.
func iban(b []byte, i int, res Result) int {
	if len(b)-i < 15 || !isUpper(b[i+1]) {
		return 0
	}
	format, ok := ibanFormats[string(b[i:i+2])]
	if !ok || i > 0 && (b[i-1] == '@' || b[i-1] >= 0x80) {
		return 0
	}
	want := len(format) + 4
	var chars [34]byte
	n := 0
	j := i
	var sep byte
	for j < len(b) && n < want {
		c := b[j]
		switch {
		case isIBANChar(c):
			chars[n] = c
			n++
			j++
		case (c == ' ' || c == '-' || c == '.') && n >= 2 && (sep == 0 || sep == c) && j+1 < len(b) && isIBANChar(b[j+1]):
			sep = c
			j++
		default:
			return 0
		}
	}
	if n != want || !endsWord(b, j, func(c byte) bool { return isAlnum(c) || c == '@' || c >= 0x80 }) {
		return 0
	}
	if sep != 0 && j+1 < len(b) && b[j] == sep && isAlnum(b[j+1]) {
		return 0 // the run goes on: not this IBAN
	}
	if !isDigit(chars[2]) || !isDigit(chars[3]) || !bbanMatches(chars[4:n], format) || !mod97(chars[:n]) {
		return 0
	}
	res.add(IBAN, string(chars[:4])+"…"+string(chars[n-4:n]), High)
	return j
}

func bbanMatches(bban []byte, format string) bool {
	for k, c := range bban {
		switch format[k] {
		case 'n':
			if !isDigit(c) {
				return false
			}
		case 'a':
			if !isUpper(c) {
				return false
			}
		}
	}
	return true
}

// mod97 is the IBAN check: the first four characters moved to the end,
// letters as numbers (A = 10), the whole modulo 97 equals 1.
func mod97(s []byte) bool {
	rearranged := append(append([]byte{}, s[4:]...), s[:4]...)
	rem := 0
	for _, c := range rearranged {
		if isDigit(c) {
			rem = (rem*10 + int(c-'0')) % 97
		} else {
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		}
	}
	return rem == 1
}
