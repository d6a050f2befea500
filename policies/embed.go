// Package policies holds the built-in Rego policies: one package per finding
// category, openai.config (every threshold), openai.lib (helpers), and a
// _test.rego beside each for stock `opa test`. No Go code depends on their
// contents; the evaluator reads the finding catalog from their METADATA.
package policies

import "embed"

// FS is the policy tree, tests included, so that `policies export` gives users
// everything `opa test` needs.
//
//go:embed *.rego
var FS embed.FS
