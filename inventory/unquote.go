package inventory

import "encoding/json"

// unquote reads a JSON string literal with escapes exactly as encoding/json
// does (surrogate pairs, invalid UTF-8 replaced by U+FFFD).
func unquote(lit []byte) (string, bool) {
	var s string
	if err := json.Unmarshal(lit, &s); err != nil {
		return "", false
	}
	return s, true
}
