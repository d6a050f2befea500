// Package schemas holds the JSON Schema of the inventory document, the single
// source of truth for its shape: the inventory package validates against it,
// `opa check -s` type-checks the policies against it, and `openai-casb schema`
// prints it.
package schemas

import _ "embed"

// Inventory is the JSON Schema (draft 2020-12) of the inventory document.
//
//go:embed inventory.schema.json
var Inventory []byte

// InventoryURL is the schema's $id, under which it is compiled.
const InventoryURL = "https://github.com/openai-casb/openai-casb/schemas/inventory.schema.json"
