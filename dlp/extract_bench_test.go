package dlp_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/openai-casb/openai-casb/dlp"
	"github.com/openai-casb/openai-casb/simulator"
)

// BenchmarkExtract is text extraction alone, per format, on documents of
// about 1 MiB of text; MB/s counts the text extracted.
//
//	go test ./dlp -run '^$' -bench Extract
func BenchmarkExtract(b *testing.B) {
	var lines []string
	size := 0
	for i := 0; size < 1<<20; i++ {
		l := fmt.Sprintf("row %d: the quarterly review covers revenue, churn and hiring; order ORD-%08d shipped", i, i*7919)
		lines = append(lines, l)
		size += len(l) + 1
	}
	var slides []string // a few hundred slides, as decks have
	for i := 0; i < len(lines); i += 50 {
		slides = append(slides, strings.Join(lines[i:min(i+50, len(lines))], " "))
	}
	rows := make([][]string, len(lines))
	for i, l := range lines {
		rows[i] = strings.SplitN(l, " ", 6)
	}
	docs := []struct {
		name    string
		content []byte
	}{
		{"notes.txt", []byte(strings.Join(lines, "\n"))},
		{"report.docx", simulator.DOCX(lines...)},
		{"sheet.xlsx", simulator.XLSX(rows...)},
		{"deck.pptx", simulator.PPTX(slides...)},
		{"brief.pdf", simulator.PDF(lines...)},
	}
	for _, d := range docs {
		b.Run(d.name, func(b *testing.B) {
			text, _, err := dlp.Extract(context.Background(), d.name, "", d.content, dlp.DefaultLimits)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				if _, _, err := dlp.Extract(context.Background(), d.name, "", d.content, dlp.DefaultLimits); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
