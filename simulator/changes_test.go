package simulator_test

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"github.com/samber/lo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/internal/spectest"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

// The events of changes validate against the spec's audit log answer, are
// served to a query of their types (paged), beside the logins to a query of
// every type, and leave a query of logins alone.
func TestChangesEmitTheSpecsAuditEvents(t *testing.T) {
	spec := spectest.Load(t)
	inv := simulator.Generate(simulator.GenerateOptions{Users: 80, Seed: 5, Plant: true})
	at := inv.CollectedAt + 3600
	ch := simulator.Change(inv)
	active := ""
	for _, p := range inv.Projects {
		if p.Status != inventory.ProjectArchived {
			active = p.ID
			break
		}
	}
	require.NotEmpty(t, active)
	ch.AddProject(inventory.Project{ID: "proj_new", Name: lo.ToPtr("New"), Status: inventory.ProjectActive, StatusRaw: lo.ToPtr("active"),
		CreatedAt: &at, APIKeys: []inventory.ProjectAPIKey{}, ServiceAccounts: []inventory.ServiceAccount{}, Users: []inventory.ProjectUser{}}, at)
	ch.RenameProject(active, "Renamed", at+1)
	cert := inventory.Certificate{ID: "cert_sim_changes", Name: lo.ToPtr("mtls"), CreatedAt: &at}
	ch.SetCertificateActive(active, cert, true, at+2)
	ch.SetCertificateActive(active, cert, false, at+3)
	ch.RenameCertificate(cert.ID, "mtls-2", at+4)
	ch.ArchiveProject("proj_new", at+5)
	ch.SetDataRetention(active, "zero_data_retention") // no event
	require.Len(t, ch.Events(), 6)
	next := ch.Inventory()
	assert.Equal(t, "Renamed", *lookup(next, active).Name)
	assert.Equal(t, "zero_data_retention", *lookup(next, active).DataRetention.Type)
	assert.Nil(t, lookup(inv, "proj_new"), "the source organization is not changed")

	get := func(srv *httptest.Server, query url.Values) (events []json.RawMessage, pages int) {
		q := maps.Clone(query)
		q.Set("limit", "2")
		for {
			req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1/organization/audit_logs?"+q.Encode(), nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+simulator.DefaultAdminKey)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
			require.NoError(t, spec.Validate("/organization/audit_logs", body), "%s", body)
			var p struct {
				Data    []json.RawMessage `json:"data"`
				HasMore bool              `json:"has_more"`
				LastID  string            `json:"last_id"`
			}
			require.NoError(t, json.Unmarshal(body, &p))
			events, pages = append(events, p.Data...), pages+1
			if !p.HasMore {
				return events, pages
			}
			q.Set("after", p.LastID)
		}
	}
	with := httptest.NewServer(simulator.New(next, simulator.Options{AuditEvents: ch.Events()}))
	t.Cleanup(with.Close)
	without := httptest.NewServer(simulator.New(next, simulator.Options{}))
	t.Cleanup(without.Close)

	q := url.Values{"event_types[]": {"project.created", "project.updated", "project.archived", "certificates.activated", "certificates.deactivated", "certificate.updated"}}
	changes, pages := get(with, q)
	require.Len(t, changes, 6)
	assert.Equal(t, 3, pages)
	var newest struct {
		Type    string `json:"type"`
		Payload struct {
			ID string `json:"id"`
		} `json:"project.archived"`
	}
	require.NoError(t, json.Unmarshal(changes[0], &newest))
	assert.Equal(t, "project.archived", newest.Type, "newest first")
	assert.Equal(t, "proj_new", newest.Payload.ID)
	window := url.Values{"event_types[]": {"certificates.activated", "certificates.deactivated"}, "effective_at[gte]": {itoa(at + 3)}}
	one, _ := get(with, window)
	assert.Len(t, one, 1, "the window bounds them")

	logins := url.Values{"event_types[]": {"login.succeeded"}}
	a, _ := get(with, logins)
	b, _ := get(without, logins)
	assert.True(t, slices.EqualFunc(a, b, func(x, y json.RawMessage) bool { return bytes.Equal(x, y) }), "the logins are the same with the events (%d and %d)", len(a), len(b))
	all, _ := get(with, url.Values{})
	assert.Len(t, all, len(b)+6)
}

func lookup(inv *inventory.Inventory, id string) *inventory.Project {
	for i := range inv.Projects {
		if inv.Projects[i].ID == id {
			return &inv.Projects[i]
		}
	}
	return nil
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }
