package inventory

import (
	"fmt"
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
	// Offset is the byte offset where reading failed.
	Offset int64
	// Line and Column (1-based) are set when the input could be read again
	// to find them (Load does; a stream cannot).
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: invalid JSON: %s", e.File, e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%s: invalid JSON at byte %d: %s", e.File, e.Offset, e.Msg)
}
