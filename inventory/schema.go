package inventory

import (
	"sync"

	"github.com/openai-casb/openai-casb/internal/jsonstream"
	"github.com/openai-casb/openai-casb/schemas"
)

var (
	compiled    *jsonstream.Schema
	compileErr  error
	compileOnce sync.Once
)

// Schema is schemas/inventory.schema.json, compiled once, for streaming
// an inventory through jsonstream.Stream.
func Schema() (*jsonstream.Schema, error) {
	compileOnce.Do(func() { compiled, compileErr = jsonstream.Compile(schemas.Inventory, schemas.InventoryURL) })
	return compiled, compileErr
}

// ResourceArrays lists the top-level arrays whose elements stream one by one,
// sorted: every top-level property of the schema that is an array of a
// definition.
func ResourceArrays() []string {
	s, err := Schema()
	if err != nil {
		return nil
	}
	return s.ResourceArrays()
}
