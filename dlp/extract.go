package dlp

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

// Limits bound the work a single file may cause.
type Limits struct {
	// MaxFileBytes: larger files are not read at all.
	MaxFileBytes int64
	// MaxTextBytes bounds what a file may expand to: the decompressed
	// parts of an Office file, the decoded page streams of a PDF. Beyond it
	// the file is an error (a decompression bomb, most likely), not text.
	MaxTextBytes int64
	// MaxEntries bounds the entries of an Office file's archive.
	MaxEntries int
	// Timeout bounds the extraction of one file.
	Timeout time.Duration
}

// DefaultLimits: 20 MiB files, 64 MiB of text, 10,000 archive entries, 30 s.
var DefaultLimits = Limits{MaxFileBytes: 20 << 20, MaxTextBytes: 64 << 20, MaxEntries: 10_000, Timeout: 30 * time.Second}

// Kinds of files Extract knows.
const (
	KindText = "text"
	KindDOCX = "docx"
	KindXLSX = "xlsx"
	KindPPTX = "pptx"
	KindPDF  = "pdf"
)

// ErrUnsupported is a file whose type has no text to extract here.
var ErrUnsupported = errors.New("unsupported file type")

// textExtensions are read as text whatever their content looks like.
var textExtensions = map[string]bool{
	".txt": true, ".text": true, ".md": true, ".markdown": true, ".csv": true, ".tsv": true, ".json": true, ".jsonl": true,
	".ndjson": true, ".xml": true, ".html": true, ".htm": true, ".yaml": true, ".yml": true, ".toml": true, ".ini": true,
	".cfg": true, ".conf": true, ".properties": true, ".env": true, ".log": true, ".sql": true, ".rtf": true, ".tex": true,
	".go": true, ".py": true, ".js": true, ".mjs": true, ".ts": true, ".tsx": true, ".jsx": true, ".java": true, ".kt": true,
	".scala": true, ".rb": true, ".php": true, ".cs": true, ".c": true, ".h": true, ".cpp": true, ".hpp": true, ".rs": true,
	".swift": true, ".m": true, ".r": true, ".pl": true, ".sh": true, ".bash": true, ".zsh": true, ".ps1": true, ".bat": true,
	".tf": true, ".hcl": true, ".gradle": true, ".vue": true, ".svelte": true, ".css": true, ".scss": true, ".ipynb": true,
}

// Extract returns the text of a file for the detectors, and which kind of
// file it was read as. The kind comes from the content (PDF and Office
// files by their signatures), then the name; text is also recognised by
// looking like text. Files of other kinds give ErrUnsupported. Malformed
// files, files that expand beyond the limits, and files that take too long
// give errors; nothing panics.
func Extract(ctx context.Context, name, mimeType string, content []byte, l Limits) (text []byte, kind string, err error) {
	if l.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, l.Timeout)
		defer cancel()
	}
	defer func() {
		// A reader's panic message may quote the file: it is not kept.
		if r := recover(); r != nil {
			text, err = nil, fmt.Errorf("the %s file is malformed", kind)
		}
	}()
	kind, err = Kind(name, mimeType, content)
	if err != nil {
		return nil, kind, err
	}
	switch kind {
	case KindPDF:
		text, err = extractPDF(ctx, content, l)
	case KindDOCX, KindXLSX, KindPPTX:
		text, err = extractOffice(ctx, kind, content, l)
	default:
		text, err = decodeText(content), nil
	}
	if ctx.Err() != nil {
		text, err = nil, fmt.Errorf("extraction took longer than %s", l.Timeout)
	}
	return text, kind, err
}

// Kind tells what a file is, from its signature first, then its name and
// type, then whether it looks like text.
func Kind(name, mimeType string, content []byte) (string, error) {
	ext := strings.ToLower(path.Ext(name))
	switch {
	case bytes.HasPrefix(content, []byte("%PDF-")):
		return KindPDF, nil
	case bytes.HasPrefix(content, []byte("PK\x03\x04")):
		switch ext {
		case ".docx", ".docm", ".dotx":
			return KindDOCX, nil
		case ".xlsx", ".xlsm", ".xltx":
			return KindXLSX, nil
		case ".pptx", ".pptm", ".potx":
			return KindPPTX, nil
		}
		if k := officeKindFromArchive(content); k != "" {
			return k, nil
		}
		return "zip", fmt.Errorf("%w: a zip archive that is not a Word, Excel or PowerPoint file", ErrUnsupported)
	case bytes.HasPrefix(content, []byte("\xD0\xCF\x11\xE0")):
		return "ole", fmt.Errorf("%w: a legacy Office file (.doc, .xls, .ppt); save it as .docx, .xlsx or .pptx", ErrUnsupported)
	}
	if textExtensions[ext] || strings.HasPrefix(mimeType, "text/") || mimeType == "application/json" || mimeType == "application/xml" {
		return KindText, nil
	}
	if looksLikeText(content) {
		return KindText, nil
	}
	kind := strings.TrimPrefix(ext, ".")
	if kind == "" {
		kind = "binary"
	}
	return kind, fmt.Errorf("%w: %s content", ErrUnsupported, describeType(ext, mimeType))
}

func describeType(ext, mimeType string) string {
	switch {
	case mimeType != "":
		return mimeType
	case ext != "":
		return ext
	}
	return "binary"
}

// looksLikeText: UTF-16 with a byte order mark, or valid UTF-8 without NUL
// bytes in the first 8 KiB.
func looksLikeText(b []byte) bool {
	if bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}) {
		return true
	}
	head := b[:min(len(b), 8<<10)]
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	// A multi-byte character may be cut at the end of the window.
	for k := 0; k < 4 && len(head) > 0 && !utf8.Valid(head); k++ {
		head = head[:len(head)-1]
	}
	return utf8.Valid(head)
}

// decodeText turns UTF-16 text (with a byte order mark) into UTF-8; other
// text is scanned as it is.
func decodeText(b []byte) []byte {
	var big bool
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		big = true
	default:
		return bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	}
	b = b[2:]
	units := make([]uint16, len(b)/2)
	for i := range units {
		if big {
			units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			units[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	return []byte(string(utf16.Decode(units)))
}

func officeKindFromArchive(content []byte) string {
	zr, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return ""
	}
	for _, f := range zr.File {
		switch f.Name {
		case "word/document.xml":
			return KindDOCX
		case "xl/workbook.xml":
			return KindXLSX
		case "ppt/presentation.xml":
			return KindPPTX
		}
	}
	return ""
}

// officeParts says which parts of each kind hold the text people write.
func officePart(kind, name string) bool {
	switch kind {
	case KindDOCX:
		return name == "word/document.xml" || name == "word/footnotes.xml" || name == "word/endnotes.xml" || name == "word/comments.xml" ||
			strings.HasPrefix(name, "word/header") || strings.HasPrefix(name, "word/footer")
	case KindXLSX:
		return name == "xl/sharedStrings.xml" || strings.HasPrefix(name, "xl/worksheets/sheet") || strings.HasPrefix(name, "xl/comments")
	case KindPPTX:
		return strings.HasPrefix(name, "ppt/slides/slide") || strings.HasPrefix(name, "ppt/notesSlides/") || strings.HasPrefix(name, "ppt/comments/")
	}
	return false
}

// errExpands is a file that grows past MaxTextBytes when decompressed.
func errExpands(l Limits) error {
	return fmt.Errorf("it expands beyond %d MiB when decompressed (a decompression bomb?), so it was not scanned", l.MaxTextBytes>>20)
}

// extractOffice reads the text of the parts of a Word, Excel or PowerPoint
// file, counting every decompressed byte against MaxTextBytes (the sizes an
// archive declares can lie).
func extractOffice(ctx context.Context, kind string, content []byte, l Limits) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return nil, fmt.Errorf("the %s file is malformed: %w", kind, err)
	}
	if len(zr.File) > l.MaxEntries {
		return nil, fmt.Errorf("the %s file has %d archive entries, more than %d", kind, len(zr.File), l.MaxEntries)
	}
	budget := l.MaxTextBytes
	var out bytes.Buffer
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !officePart(kind, f.Name) {
			continue
		}
		if f.UncompressedSize64 > uint64(budget) {
			return nil, errExpands(l)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("the %s file is malformed: %w", kind, err)
		}
		counted := &countingReader{r: rc, left: budget}
		err = xmlText(counted, &out)
		rc.Close()
		budget = counted.left
		if errors.Is(err, errBudget) {
			return nil, errExpands(l)
		}
		if err != nil {
			// Errors of archive/zip, compress/flate and the XML scanner
			// are fixed texts; part names, which the file chose, are left
			// out.
			return nil, fmt.Errorf("the %s file is malformed: %w", kind, err)
		}
	}
	return out.Bytes(), nil
}

var errBudget = errors.New("budget exceeded")

type countingReader struct {
	r    io.Reader
	left int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errBudget
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// extractPDF reads the text of a PDF page by page, in a goroutine that is
// abandoned when the context ends: the PDF library has loops a crafted
// file can make endless (cyclic object streams), and a collection must go
// on, and stop on Ctrl-C, whatever one file does. The page tree is walked
// here, not by the library, with a bound on the nodes visited, so that
// cycles in it end.
func extractPDF(ctx context.Context, content []byte, l Limits) ([]byte, error) {
	type result struct {
		text []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			if recover() != nil {
				r = result{nil, errPDFMalformed(0)}
			}
			done <- r
		}()
		r.text, r.err = readPDF(ctx, content, l)
	}()
	select {
	case r := <-done:
		return r.text, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// errPDFMalformed says a PDF could not be read, and where, without the
// library's message: it quotes the file's bytes, which may be a secret.
func errPDFMalformed(page int) error {
	if page == 0 {
		return errors.New("the pdf file is malformed")
	}
	return fmt.Errorf("the pdf file is malformed (page %d)", page)
}

// pdfMaxNodes bounds the page tree walk: more than any real document has.
const pdfMaxNodes = 100_000

// pdfPage is a leaf of the page tree with the resources it inherits.
type pdfPage struct {
	v, resources pdf.Value
}

// pdfPages walks the page tree. ok is false when the walk had to stop: a
// tree deeper or larger than any real document, which is what a cycle in
// it looks like.
func pdfPages(r *pdf.Reader) (pages []pdfPage, ok bool) {
	type item struct {
		v, resources pdf.Value
		depth        int
	}
	stack := []item{{v: r.Trailer().Key("Root").Key("Pages")}}
	for visited := 0; len(stack) > 0; visited++ {
		if visited >= pdfMaxNodes {
			return pages, false
		}
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		res := it.resources
		if own := it.v.Key("Resources"); !own.IsNull() {
			res = own
		}
		if it.v.Key("Type").Name() == "Page" || it.v.Key("Kids").IsNull() {
			if !it.v.Key("Contents").IsNull() {
				pages = append(pages, pdfPage{it.v, res})
			}
			continue
		}
		kids := it.v.Key("Kids")
		if it.depth >= 64 || len(stack)+kids.Len() > pdfMaxNodes {
			return pages, false
		}
		for k := kids.Len() - 1; k >= 0; k-- { // reversed: pages come out in order
			stack = append(stack, item{kids.Index(k), res, it.depth + 1})
		}
	}
	return pages, true
}

// readPDF extracts the text of every page. Before a page is interpreted,
// its content streams are decoded once into nothing, counted against
// MaxTextBytes: the PDF library would otherwise inflate a bomb into memory
// as text. The text itself is counted too (a font's character map can make
// one code many characters).
func readPDF(ctx context.Context, content []byte, l Limits) ([]byte, error) {
	r, err := pdf.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return nil, errPDFMalformed(0)
	}
	pages, ok := pdfPages(r)
	if !ok {
		return nil, errors.New("the pdf file is malformed (its page tree loops, or is deeper or larger than any document)")
	}
	budget := l.MaxTextBytes
	var out bytes.Buffer
	for i, pg := range pages {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var size int64
		for _, s := range contentStreams(pg.v.Key("Contents")) {
			n, err := io.Copy(io.Discard, io.LimitReader(s.Reader(), budget+1))
			if err != nil {
				return nil, errPDFMalformed(i + 1)
			}
			size += n
			if size > budget {
				return nil, errExpands(l)
			}
		}
		budget -= size
		// Each page with its own fonts: two pages may use one name for
		// fonts with different character maps.
		fonts := map[string]*pdf.Font{}
		fv := pg.resources.Key("Font")
		for _, name := range fv.Keys() {
			fonts[name] = &pdf.Font{V: fv.Key(name)}
		}
		text, err := pdf.Page{V: pg.v}.GetPlainText(fonts)
		if err != nil {
			return nil, errPDFMalformed(i + 1)
		}
		if int64(out.Len()+len(text)) > l.MaxTextBytes {
			return nil, errExpands(l)
		}
		out.WriteString(text)
		out.WriteByte('\n')
	}
	return out.Bytes(), nil
}

func contentStreams(v pdf.Value) []pdf.Value {
	if v.Kind() == pdf.Array {
		out := make([]pdf.Value, 0, v.Len())
		for i := 0; i < v.Len(); i++ {
			out = append(out, v.Index(i))
		}
		return out
	}
	if v.Kind() == pdf.Stream {
		return []pdf.Value{v}
	}
	return nil
}
