package evaluator

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// appendJSON must write exactly what encoding/json writes of the same value
// converted to Go, as reports did before evidence was kept as bytes.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	values := []ast.Value{ast.String("bad utf8 \xff end")}
	for _, src := range []string{
		`{"b": 1, "a": [true, false, null], "c": {"z": "x", "y": 1.5e3}}`,
		`{"s": "quote\" back\\ tab\t nl\n cr\r bell\u0007 <html>&amp; é 😀 \u2028 \u2029"}`,
		`{"set": {"b", "a", "c"}, "n": -0.25, "big": 1795651200, "empty": {}, "list": []}`,
	} {
		values = append(values, ast.MustParseTerm(src).Value)
	}
	for _, v := range values {
		src := v.String()
		got, err := appendJSON(nil, v)
		require.NoError(t, err, src)
		plain, err := ast.JSON(v)
		require.NoError(t, err)
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(plain))
		assert.Equal(t, string(bytes.TrimSuffix(want.Bytes(), []byte("\n"))), string(got), src)
	}
	_, err := appendJSON(nil, ast.MustParseTerm(`{1: "a"}`).Value)
	assert.ErrorContains(t, err, "not a string")
}
