package dlp

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// benignCorpus is about 4 MiB of text where nothing was planted, built
// from a fixed seed: the numeric data that made bare digit detectors
// useless (floats with many decimals, coordinate and colour tables, 16-19
// digit ids, int64 constants, space-separated number tables, metrics
// CSVs, JSON arrays), source code and prose.
func benignCorpus() map[string][]byte {
	r := rand.New(rand.NewPCG(17, 2026))
	digits := func(n int) string {
		var sb strings.Builder
		sb.WriteByte(byte('1' + r.IntN(9)))
		for k := 1; k < n; k++ {
			sb.WriteByte(byte('0' + r.IntN(10)))
		}
		return sb.String()
	}
	words := strings.Fields("the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were her she there one all we their can has been if more when will would who so no out up into do any time about than them some could other then now only its over also new like after")
	prose := func(n int) string {
		var sb strings.Builder
		for k := 0; k < n; k++ {
			sb.WriteString(words[r.IntN(len(words))])
			if r.IntN(12) == 0 {
				sb.WriteString(". ")
			} else {
				sb.WriteByte(' ')
			}
		}
		return sb.String()
	}
	gen := func(size int, line func(*strings.Builder)) []byte {
		var sb strings.Builder
		for sb.Len() < size {
			line(&sb)
		}
		return []byte(sb.String())
	}
	const part = 512 << 10
	return map[string][]byte{
		"floats.json": gen(part, func(sb *strings.Builder) {
			fmt.Fprintf(sb, "{\"t\": %s.%s, \"value\": %s.%s, \"ratio\": 0.%s},\n", digits(4), digits(13), digits(r.IntN(4)+1), digits(16), digits(17))
		}),
		"coordinates.json": gen(part, func(sb *strings.Builder) {
			fmt.Fprintf(sb, "[%d.%s, %d.%s, %s],\n", r.IntN(180)-90, digits(14), r.IntN(360)-180, digits(15), digits(16))
		}),
		"ids.json": gen(part, func(sb *strings.Builder) {
			id := digits(16 + r.IntN(4))
			fmt.Fprintf(sb, "{\"id\": %s, \"id_str\": \"%s\", \"in_reply_to\": %s, \"user\": {\"id\": %s}},\n", id, id, digits(19), digits(10))
		}),
		"colours.json": gen(part, func(sb *strings.Builder) {
			fmt.Fprintf(sb, "[%d, %d, %d, %s, %s, %s],\n", r.IntN(256), r.IntN(256), r.IntN(256), digits(16), digits(16), digits(15))
		}),
		"metrics.csv": gen(part, func(sb *strings.Builder) {
			fmt.Fprintf(sb, "%s,%s,%s.%s,%d,%s\n", digits(10), digits(16), digits(3), digits(9), r.IntN(1000), digits(13))
		}),
		"tables.txt": gen(part, func(sb *strings.Builder) {
			for k := 0; k < 8; k++ {
				fmt.Fprintf(sb, "%s %s %s  ", digits(3), digits(2), digits(4))
			}
			sb.WriteByte('\n')
		}),
		"constants.go": gen(part, func(sb *strings.Builder) {
			fmt.Fprintf(sb, "\tconst c%d = %s // %s\n\tx := int64(-%s) + %s\n", r.IntN(1e6), digits(19), prose(6), digits(18), digits(16))
		}),
		"prose.txt": gen(part, func(sb *strings.Builder) {
			fmt.Fprintf(sb, "%s in %d, about %s.%s units; see item %s or page %d.\n", prose(30), 1900+r.IntN(130), digits(3), digits(2), digits(9), r.IntN(400))
		}),
	}
}

// fpTable scans files and returns, per detector, the matches per MB at
// each confidence, printed as a table.
func fpTable(t *testing.T, files map[string][]byte) (map[string][High + 1]int, float64, string) {
	s, err := NewScanner(nil)
	require.NoError(t, err)
	counts := map[string][High + 1]int{}
	size := 0
	for _, text := range files {
		size += len(text)
		for name, d := range s.Scan(text) {
			c := counts[name]
			for level, n := range d.ByConfidence {
				c[level] += n
			}
			counts[name] = c
		}
	}
	mb := float64(size) / 1e6
	var names []string
	for n := range counts {
		names = append(names, n)
	}
	sort.Strings(names)
	var sb strings.Builder
	fmt.Fprintf(&sb, "%.1f MB, %d files; matches per MB (count)\n%-27s %14s %14s %14s\n", mb, len(files), "detector", "low", "medium", "high")
	if len(names) == 0 {
		sb.WriteString("(no match at any confidence)\n")
	}
	for _, n := range names {
		c := counts[n]
		fmt.Fprintf(&sb, "%-27s %7.3f (%4d) %7.3f (%4d) %7.3f (%4d)\n", n, float64(c[Low])/mb, c[Low], float64(c[Medium])/mb, c[Medium], float64(c[High])/mb, c[High])
	}
	return counts, mb, sb.String()
}

// TestBenignCorpusFalsePositives: nothing was planted, so every match is
// false. At the shipped profiles' minimum (medium) none may appear; the
// table shows what each level would add.
func TestBenignCorpusFalsePositives(t *testing.T) {
	counts, _, table := fpTable(t, benignCorpus())
	t.Logf("\nfalse positives, benign corpus (generated: numeric-heavy JSON/CSV, code, prose): %s", table)
	for name, c := range counts {
		assert.Zero(t, c[Medium]+c[High], "%s: false matches at medium or above", name)
	}
}

// TestModuleSourcesFalsePositives scans the sources of the modules this
// repository depends on, as the Go module proxy served them (the module
// cache): ordinary code, documentation and test data where nobody planted
// a secret for us. Their own test fixtures hold fake keys and tokens, so
// credentials are printed, not asserted; cards and SSNs are asserted
// against the targets (payment_card at most 10, us_ssn at most 0.2
// false matches per 100 MB at the default minimum).
func TestModuleSourcesFalsePositives(t *testing.T) {
	if testing.Short() {
		t.Skip("scans the module cache")
	}
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	cache := strings.TrimSpace(string(out))
	if err != nil || cache == "" {
		t.Skip("no module cache: run go mod download")
	}
	mods, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "all").Output()
	if err != nil {
		t.Skipf("go list -m all: %v", err)
	}
	files := map[string][]byte{}
	total := 0
	const budget = 40 << 20
	for _, dir := range strings.Fields(string(mods)) {
		if !strings.HasPrefix(dir, cache) {
			continue // the main module
		}
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || total >= budget {
				return fs.SkipDir
			}
			if d.IsDir() {
				return nil
			}
			switch filepath.Ext(p) {
			case ".go", ".md", ".json", ".txt", ".yaml", ".yml", ".csv", ".rego", ".html", ".js":
			default:
				return nil
			}
			b, err := os.ReadFile(p)
			if err == nil && len(b) < 4<<20 {
				files[p] = b
				total += len(b)
			}
			return nil
		})
	}
	if total < 1<<20 {
		t.Skipf("only %d bytes of module sources: run go mod download", total)
	}
	counts, mb, table := fpTable(t, files)
	t.Logf("\nfalse positives, module sources (go list -m all, from the module cache, first %d MB): %s", budget>>20, table)
	per100 := func(name string) float64 {
		c := counts[name]
		return float64(c[Medium]+c[High]) / mb * 100
	}
	assert.LessOrEqual(t, per100(PaymentCard), 10.0, "payment_card false matches per 100 MB at medium or above")
	assert.LessOrEqual(t, per100(USSSN), 0.2, "us_ssn false matches per 100 MB at medium or above")
}
