package collector_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/inventory"
)

// collectWarned collects with o (its Warn replaced by a recorder) and
// checks that every source not skipped is complete; it returns the
// inventory and the warnings, in the order given.
func collectWarned(t *testing.T, o collector.Options) (*inventory.Inventory, []string) {
	t.Helper()
	inv, warnings := collectWarnings(t, o)
	for name, src := range inv.Sources {
		if src.Status != inventory.StatusSkipped {
			assert.Equal(t, inventory.StatusComplete, src.Status, "%s: %v", name, src.Reason)
		}
	}
	return inv, warnings
}

// collectWarnings collects with o, recording the warnings instead of
// printing them; a failed collection fails the test.
func collectWarnings(t *testing.T, o collector.Options) (*inventory.Inventory, []string) {
	t.Helper()
	var warnings []string
	o.Warn = func(m string) { warnings = append(warnings, m) }
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	return inv, warnings
}
