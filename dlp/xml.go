package dlp

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
)

// xmlText writes the character data of an XML part, with a newline after
// each paragraph, row or slide shape and a tab between cells, so that
// values in neighbouring cells do not run together. It reads the part with
// encoding/xml's RawToken, leniently (unknown entities kept as written);
// no entity is expanded beyond the predefined and numeric ones, and a
// DOCTYPE's internal subset is skipped. (A hand-written byte scanner was
// 2 to 3 times faster on Office parts, which next to the Compliance API's
// pacing of file downloads is nothing: docs/performance.md.)
func xmlText(r io.Reader, out *bytes.Buffer) error {
	d := xml.NewDecoder(r)
	d.Strict = false
	for {
		tok, err := d.RawToken()
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
