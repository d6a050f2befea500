package jsonstream

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxViolations bounds how many violations an error keeps: a generated file
// with one systematic mistake would otherwise carry a million of them.
const maxViolations = 1000

// shownViolations is how many violations Error prints before summarizing.
const shownViolations = 50

// Violation is one way a document breaks the inventory schema.
type Violation struct {
	// Pointer is the JSON pointer (RFC 6901) of the offending value; "" is
	// the whole document.
	Pointer string
	// Message says what is wrong, e.g. "got string, want integer".
	Message string
}

func (v Violation) String() string {
	if v.Pointer == "" {
		return "/: " + v.Message
	}
	return v.Pointer + ": " + v.Message
}

// ValidationError is a document that is JSON but not an inventory. It keeps
// every violation up to maxViolations, and counts all of them.
type ValidationError struct {
	File       string
	Violations []Violation
	Total      int
}

func (e *ValidationError) add(vs ...Violation) {
	for _, v := range vs {
		e.Total++
		if len(e.Violations) < maxViolations {
			e.Violations = append(e.Violations, v)
		}
	}
}

// Error prints one line per violation, "FILE: /users/7/added_at: got
// string, want integer", up to shownViolations, then how many more there are.
func (e *ValidationError) Error() string {
	var sb strings.Builder
	for i, v := range e.Violations {
		if i == shownViolations {
			break
		}
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(e.File)
		sb.WriteString(": ")
		sb.WriteString(v.String())
	}
	if more := e.Total - min(len(e.Violations), shownViolations); more > 0 {
		fmt.Fprintf(&sb, "\n%s: and %d more violation(s) of the inventory schema", e.File, more)
	}
	return sb.String()
}

// SyntaxError is input that is not a single JSON document.
type SyntaxError struct {
	File string
	// Offset counts the bytes up to and including the offending one.
	Offset int64
	// Line and Column (1-based) are set when the input could be read again
	// to find them (LocateReader; a stream cannot).
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: invalid JSON: %s", e.File, e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%s: invalid JSON at byte %d: %s", e.File, e.Offset, e.Msg)
}

// LocateReader fills in the line and column of a *SyntaxError from the
// document, read again from r; any other error is returned unchanged. It is
// only called on the error path, so reading the document once more is fine.
func LocateReader(err error, r io.Reader) error {
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line > 0 {
		return err
	}
	// The offending byte is the Offset-th; count the lines before it.
	before, lastNL := int64(max(se.Offset-1, 0)), int64(-1)
	line := 1
	br := bufio.NewReaderSize(r, 1<<16)
	for i := int64(0); i < before; i++ {
		b, rerr := br.ReadByte()
		if rerr != nil {
			break
		}
		if b == '\n' {
			line++
			lastNL = i
		}
	}
	se.Line, se.Column = line, int(before-lastNL)
	return se
}
