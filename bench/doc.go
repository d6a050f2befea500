// Package bench holds the benchmarks of openai-casb's pipeline, one per stage
// (decode, validate, convert, evaluate, render) so that a regression points
// at its stage, and the scripts that compare the whole program with stock
// `opa eval`. It has no non-test code of its own.
package bench
