package dlp

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// benchText is about 8 MiB of mixed text: prose, CSV rows with numbers,
// dates and ids, source code and configuration, with a secret or a card
// every few hundred lines, the way knowledge files and exports look.
func benchText() []byte {
	r := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("the quarterly report shows revenue growth across all regions while costs remained stable and the team shipped the new onboarding flow customers asked about support tickets fell")
	var b strings.Builder
	for b.Len() < 8<<20 {
		switch r.IntN(10) {
		case 0, 1, 2, 3:
			for k := 0; k < 12; k++ {
				b.WriteString(words[r.IntN(len(words))])
				b.WriteByte(' ')
			}
			b.WriteString(".\n")
		case 4, 5:
			fmt.Fprintf(&b, "%d,%s,2026-%02d-%02d,%d.%02d,ORD-%08d,%s\n", r.IntN(1e6), words[r.IntN(len(words))], 1+r.IntN(12), 1+r.IntN(28), r.IntN(10000), r.IntN(100), r.IntN(1e8), words[r.IntN(len(words))])
		case 6, 7:
			fmt.Fprintf(&b, "\tif err := client.Do(ctx, req%d); err != nil { return fmt.Errorf(\"call %d: %%w\", err) }\n", r.IntN(100), r.IntN(1000))
		case 8:
			fmt.Fprintf(&b, "user_%d = {\"id\": \"user-%08x\", \"email\": \"u%d@example.com\", \"phone\": \"555-%03d-%04d\"}\n", r.IntN(1e5), r.Uint32(), r.IntN(1e5), r.IntN(1000), r.IntN(10000))
		case 9:
			if r.IntN(20) == 0 {
				b.WriteString("api_key = sk-proj-FAKE0000TEST1111NOTREAL2222EXAMPLE3333KEY4444abcd\ncard 4111 1111 1111 1111 iban GB82WEST12345698765432\n")
			} else {
				fmt.Fprintf(&b, "# build %d at 10.0.%d.%d took %dms\n", r.IntN(1e4), r.IntN(256), r.IntN(256), r.IntN(1e5))
			}
		}
	}
	return []byte(b.String())
}

// BenchmarkScan is the detector pass of one file, on one core: the
// built-in detectors, and the built-in ones with two custom detectors.
func BenchmarkScan(b *testing.B) {
	text := benchText()
	for _, c := range []struct {
		name   string
		custom []Custom
	}{
		{"builtin", nil},
		{"builtin+custom", []Custom{{Name: "project_code", Pattern: `ACME-[0-9]{6}`}, {Name: "marker", Keywords: []string{"confidential", "internal only"}}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			s, err := NewScanner(c.custom)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(text)))
			var res Result
			for b.Loop() {
				res = s.Scan(text)
			}
			b.ReportMetric(float64(res[OpenAIKey].Count), "keys")
		})
	}
}
