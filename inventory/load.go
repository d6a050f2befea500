package inventory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/openai-casb/openai-casb/internal/jsonstream"
)

// Load reads, validates and decodes the inventory file at path; "-" reads
// standard input. Errors name the file: *SyntaxError with line and column,
// or *ValidationError with every violation's JSON pointer. Evaluation does
// not use it (it streams the file, see evaluator); tests and tools do.
func Load(path string) (*Inventory, error) {
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
	return Decode(raw, path)
}

// Decode validates raw as an inventory document and decodes it into the Go
// types. name labels errors.
func Decode(raw []byte, name string) (*Inventory, error) {
	s, err := Schema()
	if err != nil {
		return nil, err
	}
	if err := jsonstream.Validate(context.Background(), bytes.NewReader(raw), name, s); err != nil {
		return nil, jsonstream.LocateReader(err, bytes.NewReader(raw))
	}
	var inv Inventory
	if err := json.Unmarshal(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")), &inv); err != nil {
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
