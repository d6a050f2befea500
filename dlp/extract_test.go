package dlp_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/dlp"
	"github.com/openai-casb/openai-casb/simulator"
)

const secret = "sk-proj-FAKE0000TEST1111NOTREAL2222EXAMPLE3333KEY4444abcd"

func TestExtractKinds(t *testing.T) {
	utf16 := []byte{0xFF, 0xFE}
	for _, r := range "key " + secret {
		utf16 = append(utf16, byte(r), 0)
	}
	cases := []struct {
		name, mime string
		content    []byte
		kind       string
	}{
		{"notes.md", "", []byte("# Notes\nkey " + secret + "\n"), dlp.KindText},
		{"data.csv", "text/csv", []byte("name,key\nci," + secret + "\n"), dlp.KindText},
		{"Dockerfile", "", []byte("ENV KEY=" + secret + "\n"), dlp.KindText},
		{"export.txt", "", utf16, dlp.KindText},
		{"handbook.docx", "", simulator.DOCX("Welcome", "key "+secret), dlp.KindDOCX},
		{"no-extension", "", simulator.DOCX("key " + secret), dlp.KindDOCX},
		{"budget.xlsx", "", simulator.XLSX([]string{"name", "key"}, []string{"ci", secret}), dlp.KindXLSX},
		{"deck.pptx", "", simulator.PPTX("Intro", "key "+secret), dlp.KindPPTX},
		{"runbook.pdf", "application/pdf", simulator.PDF("Runbook", "key "+secret), dlp.KindPDF},
	}
	s, err := dlp.NewScanner(nil)
	require.NoError(t, err)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text, kind, err := dlp.Extract(context.Background(), c.name, c.mime, c.content, dlp.DefaultLimits)
			require.NoError(t, err)
			assert.Equal(t, c.kind, kind)
			res := s.Scan(text)
			require.Contains(t, res, dlp.OpenAIKey, "text: %q", text)
			assert.Equal(t, 1, res[dlp.OpenAIKey].Count)
		})
	}
}

func TestExtractRefuses(t *testing.T) {
	small := dlp.Limits{MaxFileBytes: 1 << 20, MaxTextBytes: 1 << 20, MaxEntries: 100, Timeout: 10 * time.Second}
	cases := []struct {
		name        string
		content     []byte
		unsupported bool
		want        string
	}{
		{"photo.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), true, "unsupported file type: .png content"},
		{"old.doc", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 legacy"), true, "legacy Office file"},
		{"bundle.zip", zipOfText(), true, "a zip archive that is not a Word"},
		{"broken.pdf", []byte("%PDF-1.4\nthis is not a pdf at all"), false, "the pdf file is malformed"},
		{"broken.docx", []byte("PK\x03\x04 truncated"), false, "the docx file is malformed"},
		{"bomb.docx", simulator.DOCXBomb(4 << 20), false, "expands beyond 1 MiB when decompressed"},
		{"bomb.pdf", simulator.PDFBomb(4 << 20), false, "expands beyond 1 MiB when decompressed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := dlp.Extract(context.Background(), c.name, "", c.content, small)
			require.Error(t, err)
			assert.Equal(t, c.unsupported, errors.Is(err, dlp.ErrUnsupported), err.Error())
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func zipOfText() []byte {
	return []byte("PK\x03\x04" + "\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")
}

// FuzzExtract: whatever the bytes and the name, extraction returns text or
// an error, and never panics or hangs.
func FuzzExtract(f *testing.F) {
	f.Add("a.pdf", simulator.PDF("hello", secret))
	f.Add("a.docx", simulator.DOCX("hello"))
	f.Add("a.xlsx", simulator.XLSX([]string{"a", "b"}))
	f.Add("a.pptx", simulator.PPTX("slide"))
	f.Add("a.txt", []byte("plain"))
	limits := dlp.Limits{MaxFileBytes: 1 << 20, MaxTextBytes: 1 << 20, MaxEntries: 100, Timeout: 2 * time.Second}
	f.Fuzz(func(t *testing.T, name string, content []byte) {
		dlp.Extract(context.Background(), name, "", content, limits)
	})
}

// Crafted PDFs that make a naive reader loop forever, or quote the file in
// its errors, end quickly with an error that quotes nothing.
func TestCraftedPDFsEndWithoutQuotingThem(t *testing.T) {
	page := func(contents string) string {
		return fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(contents), contents)
	}
	cases := map[string][]byte{
		"kids cycle": simulator.PDFObjects("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [2 0 R 2 0 R] /Count 2 >>"),
		"parent cycle": simulator.PDFObjects("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 3 0 R >>",
			"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>", page("BT <ZZ> Tj ("+secret+") Tj ET")),
		"deep": simulator.PDFObjects("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] >>", "<< /Type /Pages /Kids [2 0 R] >>"),
	}
	for name, content := range cases {
		start := time.Now()
		_, _, err := dlp.Extract(context.Background(), name+".pdf", "", content, dlp.DefaultLimits)
		assert.Less(t, time.Since(start), 10*time.Second, name)
		t.Logf("%s: %v", name, err)
		if err != nil {
			assert.NotContains(t, err.Error(), secret, name)
			assert.NotContains(t, err.Error(), "Tj", name)
		}
	}
	_, _, err := dlp.Extract(context.Background(), "loop.pdf", "", cases["kids cycle"], dlp.DefaultLimits)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "page tree loops")
}
