package collector_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/inventory"
)

// The key a hostile server knows (it was sent the key) and echoes back.
const (
	hostileKey  = "sk-admin-HOSTILE0echo1fake2key3abcdefgh"
	hostileBare = "HOSTILE0echo1fake2key3abcdefgh"
)

// keyForms are the ways a server writes the key back.
var keyForms = map[string]string{
	"exact":         hostileKey,
	"bare":          hostileBare,
	"upper":         strings.ToUpper(hostileKey),
	"lower bare":    strings.ToLower(hostileBare),
	"base64":        base64.StdEncoding.EncodeToString([]byte(hostileKey)),
	"base64 basic":  base64.StdEncoding.EncodeToString([]byte("x:" + hostileKey)),
	"url-escaped":   url.QueryEscape("k=" + hostileKey),
	"key-shaped":    "sk-proj-" + strings.Repeat("HOSTILEother", 3),
	"in a sentence": "your key " + hostileBare + " is wrong",
}

// assertNoKey fails when any form of the key is in text.
func assertNoKey(t *testing.T, where, text string) {
	t.Helper()
	low := strings.ToLower(text)
	assert.NotContains(t, low, strings.ToLower(hostileBare), where)
	assert.NotContains(t, low, "hostileother", where)
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		for _, pad := range []string{"", "x:", "x"} {
			e := enc.EncodeToString([]byte(pad + hostileKey))
			core := e[(8*len(pad)+5)/6 : 8*(len(pad)+len(hostileKey))/6]
			assert.NotContains(t, text, core, where)
		}
	}
}

// hostile is a server that puts the key in every place a server can put
// it: cursors, ids, names, roles, statuses, emails, timestamps, error
// bodies, headers and redirects.
func hostile(t *testing.T) string {
	s := &scripted{handlers: map[string]http.HandlerFunc{}, hits: map[string]int{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	forms := []string{}
	for _, f := range keyForms {
		forms = append(forms, f)
	}
	var mu sync.Mutex
	page := map[string]int{}
	s.on("/v1/organization/admin_api_keys", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Openai-Organization", hostileKey)
		fmt.Fprintf(w, `{"object":"list","data":[{"object":"organization.admin_api_key","id":%q,"name":%q,"redacted_value":%q,"created_at":1700000000,"last_used_at":null,"owner":{"type":%q,"id":%q,"name":%q,"role":%q}}],"has_more":false}`,
			keyForms["url-escaped"], keyForms["base64"], hostileKey, keyForms["upper"], keyForms["bare"], keyForms["in a sentence"], keyForms["key-shaped"])
	})
	s.on(invitesPath, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n := page["invites"]
		page["invites"]++
		mu.Unlock()
		// A cursor that is the key: the next request carries after=<key>,
		// which --debug prints; then the same cursor again.
		fmt.Fprintf(w, `{"object":"list","data":[{"object":"organization.invite","id":"inv-%d","email":%q,"role":%q,"status":%q,"created_at":%q,"expires_at":null}],"has_more":true,"last_id":%q}`,
			n, keyForms["lower bare"], keyForms["exact"], keyForms["base64 basic"], hostileKey, hostileKey)
	})
	s.on("/v1/organization/users", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://localhost:1/"+hostileKey+"?key="+hostileKey, http.StatusFound)
	})
	s.on("/v1/organization/projects", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"error":{"message":"invalid token %s (%s)","code":%q}}`, hostileBare, keyForms["base64"], hostileKey)
	})
	s.on("/v1/organization/audit_logs", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(418)
		fmt.Fprint(w, "not json: "+strings.Join(forms, " "))
	})
	s.on("/v1/compliance/workspaces/ws-1/gpts", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"object":"list","data":[{"id":"g-1","name":%q,"owner_email":%q,"sharing":{"visibility":%q},"tools":[{"type":%q}]}],"has_more":false}`,
			keyForms["in a sentence"], keyForms["bare"], keyForms["upper"], keyForms["key-shaped"])
	})
	s.on("/v1/compliance/workspaces/ws-1/users", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
		fmt.Fprintf(w, `{"error":{"message":"key %s revoked"}}`, keyForms["upper"])
	})
	return srv.URL + "/v1"
}

// Every form of the key a hostile server echoes is gone from the
// inventory, its sources' reasons, the debug log and the errors.
func TestServerEchoedKeyNeverReachesInventoryOrLog(t *testing.T) {
	var debug strings.Builder
	var mu sync.Mutex
	o := scriptedOptions(hostile(t), newFakeClock(1700000000))
	o.AdminKey = hostileKey
	o.Retry.Attempts = 1
	o.Debug = func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(&debug, format+"\n", a...)
	}
	inv, err := collector.Collect(context.Background(), o)
	errText := ""
	if err != nil {
		errText = err.Error()
	}
	require.NotNil(t, inv)
	raw, merr := inventory.Marshal(inv)
	require.NoError(t, merr)
	assertNoKey(t, "inventory", string(raw))
	assertNoKey(t, "debug", debug.String())
	assertNoKey(t, "error", errText)

	// The places were really reached, and kept what was not a secret.
	assert.Contains(t, debug.String(), "after=[REDACTED]", "the cursor went out, and --debug printed it scrubbed")
	require.Len(t, inv.AdminAPIKeys, 1)
	assert.Equal(t, "[REDACTED]", inv.Organization.ID)
	assert.Contains(t, *inv.Sources[inventory.SourceInvites].Reason, "cursor did not advance")
	assert.Contains(t, *inv.Sources[inventory.SourceUsers].Reason, "refused the redirect")
	assert.Contains(t, *inv.Sources[inventory.SourceProjects].Reason, "invalid token [REDACTED]")
	assert.Contains(t, *inv.Sources[inventory.SourceWorkspaceUsers].Reason, "key [REDACTED] revoked")
}
