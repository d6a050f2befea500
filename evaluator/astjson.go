package evaluator

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/openai-casb/openai-casb/internal/jsonw"
)

// appendJSON writes an OPA value as JSON the way encoding/json writes the
// same value converted to Go (object keys sorted, sets as sorted arrays,
// numbers as written, no HTML escaping), without building the Go value:
// evidence is kept as these bytes, which the garbage collector need not
// scan and reports copy as they are.
func appendJSON(b []byte, v ast.Value) ([]byte, error) {
	switch x := v.(type) {
	case ast.Null:
		return append(b, "null"...), nil
	case ast.Boolean:
		return strconv.AppendBool(b, bool(x)), nil
	case ast.Number:
		return append(b, x...), nil
	case ast.String:
		return jsonw.String(b, string(x)), nil
	case *ast.Array:
		b = append(b, '[')
		var err error
		for i := 0; i < x.Len(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendJSON(b, x.Elem(i).Value); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case ast.Set:
		b = append(b, '[')
		var err error
		sorted := x.Sorted()
		for i := 0; i < sorted.Len(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendJSON(b, sorted.Elem(i).Value); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case ast.Object:
		type kv struct {
			k string
			v ast.Value
		}
		items := make([]kv, 0, x.Len())
		var err error
		x.Foreach(func(k, val *ast.Term) {
			s, ok := k.Value.(ast.String)
			if !ok && err == nil {
				err = fmt.Errorf("an object key is %v, not a string: JSON cannot hold it", k)
			}
			items = append(items, kv{string(s), val.Value})
		})
		if err != nil {
			return nil, err
		}
		sort.Slice(items, func(i, j int) bool { return items[i].k < items[j].k })
		b = append(b, '{')
		for i, it := range items {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonw.String(b, it.k)
			b = append(b, ':')
			if b, err = appendJSON(b, it.v); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	return nil, fmt.Errorf("%v cannot be written as JSON", v)
}
