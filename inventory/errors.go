package inventory

import "github.com/openai-casb/openai-casb/internal/jsonstream"

// The errors of reading an inventory, from the JSON stream that validates it.
type (
	// ValidationError is a document that is JSON but not an inventory; it
	// lists every violation with its JSON pointer.
	ValidationError = jsonstream.ValidationError
	// Violation is one way a document breaks the inventory schema.
	Violation = jsonstream.Violation
	// SyntaxError is input that is not a single JSON document.
	SyntaxError = jsonstream.SyntaxError
)
