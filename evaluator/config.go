package evaluator

import (
	"context"
	"fmt"

	"github.com/open-policy-agent/opa/v1/rego"
)

// Config returns the values of openai.config, the policies' thresholds and
// lists, by name; empty when the policies have no such package.
func (e *Engine) Config(ctx context.Context) (map[string]any, error) {
	rs, err := rego.New(rego.Compiler(e.compiler), rego.Store(e.store), rego.Query("data.openai.config")).Eval(ctx)
	if err != nil {
		return nil, fmt.Errorf("read openai.config: %w", err)
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return map[string]any{}, nil
	}
	m, _ := rs[0].Expressions[0].Value.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}
