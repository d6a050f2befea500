package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// Load reads, validates and decodes the inventory file at path; "-" reads
// standard input. Errors name the file: *SyntaxError with line and column,
// or *ValidationError with every violation's JSON pointer.
func Load(path string) (*Inventory, error) {
	raw, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Decode(raw, path)
}

// ReadFile reads path, or standard input for "-".
func ReadFile(path string) ([]byte, error) {
	var (
		raw []byte
		err error
	)
	if path == "-" {
		raw, err = io.ReadAll(os.Stdin)
	} else {
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read inventory: %w", err)
	}
	return raw, nil
}

// Decode validates raw as an inventory document and decodes it. name labels
// errors.
func Decode(raw []byte, name string) (*Inventory, error) {
	if err := Walk(bytes.NewReader(raw), name, Visitor{}); err != nil {
		return nil, Locate(err, raw)
	}
	var inv Inventory
	if err := json.Unmarshal(raw, &inv); err != nil {
		// The schema admits what the Go types cannot hold only at the edges
		// (an integer written as 1.0); say where.
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, &ValidationError{File: name, Total: 1, Violations: []Violation{{
				Message: fmt.Sprintf("%s: cannot hold %s as %s", te.Field, te.Value, te.Type),
			}}}
		}
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	return &inv, nil
}

// Locate fills in the line and column of a *SyntaxError from the bytes the
// document was read from; any other error is returned unchanged. The
// streaming decoder's offsets drift around the tokens it reads one at a
// time, so the offset is found again by checking the whole document.
func Locate(err error, raw []byte) error {
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line > 0 {
		return err
	}
	var v json.RawMessage
	var jse *json.SyntaxError
	if uerr := json.Unmarshal(raw, &v); errors.As(uerr, &jse) {
		se.Offset = jse.Offset
	}
	// Offset counts the bytes read up to and including the offending one.
	off := min(max(int(se.Offset)-1, 0), len(raw))
	se.Line = bytes.Count(raw[:off], []byte{'\n'}) + 1
	se.Column = off - bytes.LastIndexByte(raw[:off], '\n')
	return se
}

// LocateReader is Locate for a document read again from r. It is only
// called on the error path, so holding the document once more is fine.
func LocateReader(err error, r io.Reader) error {
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line > 0 {
		return err
	}
	raw, rerr := io.ReadAll(r)
	if rerr != nil {
		return err
	}
	return Locate(err, raw)
}
