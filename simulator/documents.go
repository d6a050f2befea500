package simulator

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// Document builders: small but well-formed Word, Excel, PowerPoint and PDF
// files holding given text, for the files the simulator serves and for the
// tests of text extraction.

func xmlEscape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func zipOf(parts map[string]string, order []string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range order {
		w, _ := zw.Create(name)
		io.WriteString(w, parts[name])
	}
	zw.Close()
	return buf.Bytes()
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="%s" ContentType="%s"/></Types>`

// DOCX is a Word document with one paragraph per string.
func DOCX(paragraphs ...string) []byte {
	var body strings.Builder
	for _, p := range paragraphs {
		fmt.Fprintf(&body, `<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>`, xmlEscape(p))
	}
	parts := map[string]string{
		"[Content_Types].xml": fmt.Sprintf(contentTypes, "/word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
		"_rels/.rels":         `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
		"word/document.xml":   `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `</w:body></w:document>`,
	}
	return zipOf(parts, []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml"})
}

// XLSX is a one-sheet workbook with the rows as inline strings.
func XLSX(rows ...[]string) []byte {
	var sheet strings.Builder
	for r, row := range rows {
		fmt.Fprintf(&sheet, `<row r="%d">`, r+1)
		for c, cell := range row {
			fmt.Fprintf(&sheet, `<c r="%c%d" t="inlineStr"><is><t>%s</t></is></c>`, 'A'+c, r+1, xmlEscape(cell))
		}
		sheet.WriteString(`</row>`)
	}
	parts := map[string]string{
		"[Content_Types].xml":      fmt.Sprintf(contentTypes, "/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
		"xl/workbook.xml":          `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="Sheet1" sheetId="1"/></sheets></workbook>`,
		"xl/worksheets/sheet1.xml": `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + sheet.String() + `</sheetData></worksheet>`,
	}
	return zipOf(parts, []string{"[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"})
}

// PPTX is a presentation with one slide per string.
func PPTX(slides ...string) []byte {
	parts := map[string]string{
		"[Content_Types].xml":  fmt.Sprintf(contentTypes, "/ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"),
		"ppt/presentation.xml": `<?xml version="1.0" encoding="UTF-8"?><p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>`,
	}
	order := []string{"[Content_Types].xml", "ppt/presentation.xml"}
	for i, s := range slides {
		name := fmt.Sprintf("ppt/slides/slide%d.xml", i+1)
		parts[name] = `<?xml version="1.0" encoding="UTF-8"?><p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>` +
			xmlEscape(s) + `</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>`
		order = append(order, name)
	}
	return zipOf(parts, order)
}

// PDF is a one-page PDF with one text line per string, its content stream
// compressed as PDF writers do.
func PDF(lines ...string) []byte {
	var content strings.Builder
	content.WriteString("BT /F1 11 Tf 14 TL 72 740 Td\n")
	for _, l := range lines {
		r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
		fmt.Fprintf(&content, "(%s) Tj T*\n", r.Replace(l))
	}
	content.WriteString("ET\n")
	return pdfWith([]byte(content.String()))
}

// PDFBomb is a PDF whose page stream inflates to n bytes of text.
func PDFBomb(n int) []byte {
	var raw bytes.Buffer
	raw.WriteString("BT /F1 11 Tf 72 740 Td (")
	raw.Write(bytes.Repeat([]byte("A"), n))
	raw.WriteString(") Tj ET\n")
	return pdfWith(raw.Bytes())
}

func pdfWith(stream []byte) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(stream)
	zw.Close()
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}
	return PDFObjects(objects...)
}

// PDFObjects assembles a PDF from the bodies of its objects (object i+1 is
// objects[i], the first the catalog) with a correct cross-reference table:
// for well-formed documents, and for crafted ones in tests.
func PDFObjects(objects ...string) []byte {
	var out bytes.Buffer
	out.WriteString("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return out.Bytes()
}

// DOCXBomb is a Word document whose one part inflates to n bytes.
func DOCXBomb(n int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("word/document.xml")
	io.WriteString(w, `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>`)
	chunk := bytes.Repeat([]byte("A"), 1<<16)
	for written := 0; written < n; written += len(chunk) {
		w.Write(chunk)
	}
	io.WriteString(w, `</w:t></w:r></w:p></w:body></w:document>`)
	zw.Close()
	return buf.Bytes()
}
