package dlp

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// referenceXMLText is the text of an XML part as encoding/xml's tokenizer
// gives it, with the same separators: what xmlText must agree with on
// well-formed parts.
func referenceXMLText(r io.Reader, out *bytes.Buffer) error {
	d := xml.NewDecoder(r)
	d.Strict = false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.CharData:
			out.Write(t)
		case xml.EndElement:
			switch t.Name.Local {
			case "p", "row", "si", "br":
				out.WriteByte('\n')
			case "c", "tab", "tc":
				out.WriteByte('\t')
			}
		}
	}
}

func TestXMLTextAgreesWithEncodingXML(t *testing.T) {
	parts := []string{
		`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="urn:w"><w:body><w:p><w:r><w:t xml:space="preserve">card 4111 </w:t></w:r><w:r><w:t>1111 1111 1111</w:t></w:r></w:p><w:p><w:r><w:t>line two</w:t><w:br/><w:t>after break</w:t><w:tab/><w:t>after tab</w:t></w:r></w:p></w:body></w:document>`,
		`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1"><v>42</v></c></row><row r="2"><c><is><t>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#65;&#x42;</t></is></c></row></sheetData></worksheet>`,
		`<sst><si><t>shared one</t></si><si><r><t>rich </t></r><r><t>text</t></r></si></sst>`,
		`<p:sld xmlns:p="urn:p" xmlns:a="urn:a"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>Slide &gt; title</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>`,
		`<root><!-- a comment with <tags> and &amp; --><x attr="a>b" other='c>d'>kept</x><![CDATA[raw <b>&amp;</b>]]><?pi data?></root>`,
		`<!DOCTYPE root [<!ELEMENT root ANY>]><root>after doctype</root>`,
		`<root>unknown &nbsp; entity and a lone & ampersand</root>`,
	}
	for _, p := range parts {
		var got, want bytes.Buffer
		require.NoError(t, xmlText(strings.NewReader(p), &got), p)
		require.NoError(t, referenceXMLText(strings.NewReader(p), &want), p)
		assert.Equal(t, want.String(), got.String(), p)
	}
}

func TestXMLTextRejectsTruncatedParts(t *testing.T) {
	for _, p := range []string{`<root><x attr="unterminated`, `<root><!-- never closed`, `<root><![CDATA[never closed`, `<root><?pi`, `<!DOCTYPE x [`} {
		var out bytes.Buffer
		assert.Error(t, xmlText(strings.NewReader(p), &out), p)
	}
}

// FuzzXMLText: any bytes, no panic, and never more text than input (no
// entity expands).
func FuzzXMLText(f *testing.F) {
	f.Add([]byte(`<w:p><w:t>a &amp; b</w:t><w:br/></w:p>`))
	f.Add([]byte(`<![CDATA[x]]><!-- c --><?p?><!DOCTYPE [<!ENTITY a "b">]>&a;&#x41;`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var out bytes.Buffer
		_ = xmlText(bytes.NewReader(b), &out)
		// Each input byte gives at most a separator or a decoded rune,
		// which a numeric reference can make longer than its text only
		// when under 4 bytes ("&#1;" is 4 bytes for a 1-byte rune).
		if out.Len() > 2*len(b)+1 {
			t.Fatalf("%d bytes of text from %d bytes of XML", out.Len(), len(b))
		}
	})
}
