package collector_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

// serve starts the simulator on a loopback port for one test.
func serve(t *testing.T, inv *inventory.Inventory, opts simulator.Options) (*simulator.Server, string) {
	t.Helper()
	sim := simulator.New(inv, opts)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv.URL + "/v1"
}

// options points the collector at a simulator, with a clock frozen at the
// organization's collection time and retries that do not wait.
func options(inv *inventory.Inventory, base string) collector.Options {
	return collector.Options{
		AdminBaseURL: base, ComplianceBaseURL: base,
		AdminKey:    simulator.DefaultAdminKey,
		WorkspaceID: inv.Workspace.ID,
		Clock:       newFakeClock(inv.CollectedAt),
		Retry:       collector.RetryPolicy{Attempts: 4, BaseDelay: 100, MaxDelay: 1000, MaxRetryAfter: 1e12, Timeout: 1e10},
		Tool:        inventory.Tool{Name: "openai-casb", Version: "test"},
	}
}

// comparable strips what a collection cannot reproduce from the source
// organization: who wrote it, its sources, the organization's display name
// (no API gives it), and the service accounts and members of archived
// projects (the API answers 400 for them).
func comparable(inv *inventory.Inventory) *inventory.Inventory {
	c := *inv
	c.Tool = inventory.Tool{}
	c.Sources = nil
	c.Organization.Name = nil
	c.Projects = append([]inventory.Project(nil), inv.Projects...)
	for i := range c.Projects {
		if c.Projects[i].Status == "archived" {
			c.Projects[i].ServiceAccounts = []inventory.ServiceAccount{}
			c.Projects[i].Users = []inventory.ProjectUser{}
		}
	}
	return &c
}

// The collector reads back exactly the organization the simulator serves,
// through small pages and transient faults.
func TestRoundTrip(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 400, Seed: 42, Plant: true})
	sim, base := serve(t, src, simulator.Options{
		MaxPageSize: 3,
		Faults: []simulator.Fault{
			{Path: "/organization/users", Times: 1, Status: 429, RetryAfter: "1"},
			{Path: "/gpts", Times: 1, Status: 503},
			{Path: "/api_keys", Times: 2, Truncate: true},
		},
	})
	got, err := collector.Collect(context.Background(), options(src, base))
	require.NoError(t, err)

	assert.Equal(t, comparable(src), comparable(got))
	for name, s := range got.Sources {
		assert.Equal(t, inventory.StatusComplete, s.Status, "%s: %v", name, s.Reason)
	}
	assert.Equal(t, len(src.Users), got.Sources[inventory.SourceUsers].Items)
	assert.Equal(t, (len(src.Users)+2)/3, got.Sources[inventory.SourceUsers].Pages, "pages of three, to the end")
	assert.Equal(t, src.Organization.ID, got.Organization.ID, "the organization id comes from the API's header")

	raw, err := inventory.Marshal(got)
	require.NoError(t, err)
	_, err = inventory.Decode(raw, "collected.json")
	require.NoError(t, err, "the collected inventory is valid")
	assert.Positive(t, sim.Stats().Requests)
}
