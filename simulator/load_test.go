package simulator_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/simulator"
)

type auditPage struct {
	Data []struct {
		ID          string `json:"id"`
		EffectiveAt int64  `json:"effective_at"`
		Actor       struct {
			Session struct {
				User struct{ ID string } `json:"user"`
			} `json:"session"`
		} `json:"actor"`
	} `json:"data"`
	HasMore bool   `json:"has_more"`
	LastID  string `json:"last_id"`
}

func getJSON(t *testing.T, h http.Handler, path string, q url.Values, out any) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path+"?"+q.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+simulator.DefaultAdminKey)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if out != nil && rec.Code == http.StatusOK {
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), out))
	}
	return rec.Code
}

// readAudit pages through the audit log within [gte, lt).
func readAudit(t *testing.T, h http.Handler, gte, lt int64) []int64 {
	t.Helper()
	q := url.Values{"limit": {"100"}, "event_types[]": {"login.succeeded"}}
	if gte != 0 {
		q.Set("effective_at[gte]", strconv.FormatInt(gte, 10))
	}
	if lt != 0 {
		q.Set("effective_at[lt]", strconv.FormatInt(lt, 10))
	}
	var out []int64
	for {
		var p auditPage
		require.Equal(t, http.StatusOK, getJSON(t, h, "/v1/organization/audit_logs", q, &p))
		for _, e := range p.Data {
			out = append(out, e.EffectiveAt)
		}
		if !p.HasMore {
			return out
		}
		q.Set("after", p.LastID)
	}
}

func TestLoginHistoryKeepsEachUsersNewestLogin(t *testing.T) {
	inv := simulator.Generate(simulator.GenerateOptions{Users: 300, Seed: 4})
	sim := simulator.New(inv, simulator.Options{LoginsPerUserDay: 1})
	newest := map[string]int64{}
	count := 0
	q := url.Values{"limit": {"100"}}
	for {
		var p auditPage
		require.Equal(t, http.StatusOK, getJSON(t, sim, "/v1/organization/audit_logs", q, &p))
		for _, e := range p.Data {
			count++
			if e.EffectiveAt > newest[e.Actor.Session.User.ID] {
				newest[e.Actor.Session.User.ID] = e.EffectiveAt
			}
		}
		if !p.HasMore {
			break
		}
		q.Set("after", p.LastID)
	}
	withLogin := 0
	for _, u := range inv.Users {
		if at := u.ActivitySignals.AuditLogLoginAt; at != nil {
			withLogin++
			assert.Equal(t, *at, newest[u.ID], u.ID)
		} else {
			assert.Zero(t, newest[u.ID], u.ID)
		}
	}
	// About one a day over up to 200 days per user with a login.
	assert.Greater(t, count, withLogin*20)
}

func TestAuditLogBoundsAndSlicesAddUp(t *testing.T) {
	inv := simulator.Generate(simulator.GenerateOptions{Users: 200, Seed: 9})
	sim := simulator.New(inv, simulator.Options{LoginsPerUserDay: 2})
	now := inv.CollectedAt
	from := now - 180*86400
	all := readAudit(t, sim, from, 0)
	require.NotEmpty(t, all)
	for i, at := range all {
		assert.GreaterOrEqual(t, at, from)
		if i > 0 {
			assert.LessOrEqual(t, at, all[i-1], "newest first")
		}
	}
	// Three slices [from, a), [a, b), [b, now+1) give the same events.
	a, b := from+60*86400, from+120*86400
	var sliced []int64
	sliced = append(sliced, readAudit(t, sim, b, now+1)...)
	sliced = append(sliced, readAudit(t, sim, a, b)...)
	sliced = append(sliced, readAudit(t, sim, from, a)...)
	assert.Equal(t, all, sliced)
	for _, at := range readAudit(t, sim, a, b) {
		assert.True(t, at >= a && at < b, at)
	}
}

func TestRateLimitAnswers429WithRetryAfter(t *testing.T) {
	inv := simulator.Generate(simulator.GenerateOptions{Users: 20, Seed: 2})
	clock := time.Unix(inv.CollectedAt, 0)
	sim := simulator.New(inv, simulator.Options{ComplianceRateLimit: 3, Now: func() time.Time { return clock }})
	path := "/v1/compliance/workspaces/" + inv.Workspace.ID + "/gpts"
	for i := 0; i < 3; i++ {
		assert.Equal(t, http.StatusOK, getJSON(t, sim, path, nil, nil), i)
	}
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+simulator.DefaultAdminKey)
	rec := httptest.NewRecorder()
	sim.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.Equal(t, "60", rec.Header().Get("Retry-After"))
	// Another route has its own budget; the Admin API has none.
	assert.Equal(t, http.StatusOK, getJSON(t, sim, "/v1/compliance/workspaces/"+inv.Workspace.ID+"/users", nil, nil))
	for i := 0; i < 10; i++ {
		assert.Equal(t, http.StatusOK, getJSON(t, sim, "/v1/organization/users", nil, nil))
	}
	// A minute later the route answers again.
	clock = clock.Add(61 * time.Second)
	assert.Equal(t, http.StatusOK, getJSON(t, sim, path, nil, nil))
}

// A log file keeps its id when a conversation is added on another day:
// ids come from what a file holds, not from its place in the history.
func TestLogFileIDsStayWhenTheHistoryGrows(t *testing.T) {
	inv := simulator.Generate(simulator.GenerateOptions{Users: 5, Seed: 4})
	day := int64(simulator.Day)
	conv := func(id string, at int64) simulator.Conversation {
		return simulator.Conversation{ID: id, Title: id, UserID: inv.Users[0].ID, UserEmail: *inv.Users[0].Email, At: at,
			Files: []simulator.StoredFile{{ID: "file-" + id, Blob: simulator.Blob{Name: id + ".txt", MIMEType: "text/plain", Data: []byte(id)}}}}
	}
	start := inv.CollectedAt - 10*day
	before := []simulator.Conversation{conv("c1", start), conv("c3", start+3*day), conv("c4", start+4*day)}
	ids := func(convs []simulator.Conversation) map[string]string { // end time → id
		sim := simulator.New(inv, simulator.Options{Content: &simulator.Content{Conversations: convs}})
		var list struct {
			Data []struct {
				ID      string `json:"id"`
				EndTime string `json:"end_time"`
			} `json:"data"`
		}
		q := url.Values{"event_type": {"CONVERSATION_MESSAGE"}, "after": {time.Unix(start-day, 0).UTC().Format(time.RFC3339)}, "limit": {"100"}}
		require.Equal(t, http.StatusOK, getJSON(t, sim, "/v1/compliance/workspaces/"+inv.Workspace.ID+"/logs", q, &list))
		out := map[string]string{}
		for _, f := range list.Data {
			out[f.EndTime] = f.ID
		}
		return out
	}
	old := ids(before)
	require.Len(t, old, 3)
	grown := ids(append(before, conv("c2", start+2*day)))
	require.Len(t, grown, 4)
	for end, id := range old {
		assert.Equal(t, id, grown[end], "the file ending %s", end)
	}
}
