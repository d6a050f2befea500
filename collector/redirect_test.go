package collector_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/inventory"
)

// sink is a loopback server that records the Authorization header of every
// request it gets.
type sink struct {
	mu    sync.Mutex
	auths []string
	body  string
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.auths = append(s.auths, r.Header.Get("Authorization"))
	s.mu.Unlock()
	fmt.Fprint(w, s.body)
}

func (s *sink) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auths...)
}

// A list answering a redirect that changes scheme, host or port is
// refused before the key goes anywhere: Go's own rules would send the key
// to the same host name over plain http, or to another port.
func TestListRedirectsLeavingTheOriginAreRefused(t *testing.T) {
	target := &sink{body: `{"object":"list","data":[],"has_more":false}`}
	plainTarget := httptest.NewServer(target)
	t.Cleanup(plainTarget.Close)
	tlsTarget := httptest.NewTLSServer(target)
	t.Cleanup(tlsTarget.Close)

	s := &scripted{handlers: map[string]http.HandlerFunc{}, hits: map[string]int{}}
	tlsSource := httptest.NewTLSServer(s)
	t.Cleanup(tlsSource.Close)
	plainSource := httptest.NewServer(s)
	t.Cleanup(plainSource.Close)
	plainPort := plainSource.Listener.Addr().String()[strings.LastIndex(plainSource.Listener.Addr().String(), ":")+1:]

	cases := []struct {
		name, base, to, why string
	}{
		{"https to http on the same host", tlsSource.URL + "/v1", plainTarget.URL + invitesPath, "it changes the scheme"},
		{"https to another port", tlsSource.URL + "/v1", tlsTarget.URL + invitesPath, "it changes the port"},
		{"to another host name", plainSource.URL + "/v1", "http://localhost:" + plainPort + invitesPath, "it changes the host"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.on(invitesPath, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, tc.to+"?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
			})
			o := scriptedOptions(tc.base, newFakeClock(1700000000))
			o.HTTPClient = tlsSource.Client() // trusts the test certificates
			before := s.count(invitesPath)
			inv, err := collector.Collect(context.Background(), o)
			require.NoError(t, err)
			src := inv.Sources[inventory.SourceInvites]
			assert.Equal(t, inventory.StatusFailed, src.Status)
			require.NotNil(t, src.Reason)
			assert.Contains(t, *src.Reason, "refused the redirect")
			assert.Contains(t, *src.Reason, tc.why)
			assert.NotContains(t, *src.Reason, "after=", "no query in the message")
			assert.Equal(t, 1, s.count(invitesPath)-before, "a refused redirect is not retried")
			for _, a := range target.seen() {
				assert.Empty(t, a, "the key reached the redirect's target")
			}
		})
	}
}

// A redirect within the origin (same scheme, host and port) is followed
// with the key, as before.
func TestListRedirectWithinTheOriginIsFollowed(t *testing.T) {
	s, base := newScripted(t)
	s.on(invitesPath, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v1/moved/invites?"+r.URL.RawQuery, http.StatusFound)
	})
	var auth string
	s.on("/v1/moved/invites", func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		fmt.Fprintf(w, `{"object":"list","data":[%s],"has_more":false}`, inviteJSON("a"))
	})
	inv, err := collector.Collect(context.Background(), scriptedOptions(base, newFakeClock(1700000000)))
	require.NoError(t, err)
	assert.Equal(t, inventory.StatusComplete, inv.Sources[inventory.SourceInvites].Status)
	assert.Len(t, inv.Invites, 1)
	assert.Equal(t, "Bearer sk-admin-TEST-fake-key-0000", auth)
}

// A log file answers a 307 to a signed URL elsewhere: it is followed, and
// the key is not sent there.
func TestSignedURLDownloadGoesWithoutTheKey(t *testing.T) {
	signed := &sink{body: ""}
	store := httptest.NewServer(signed)
	t.Cleanup(store.Close)
	s, base := newScripted(t)
	s.on("/v1/compliance/workspaces/ws-1/logs", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"object":"list","data":[{"id":"log-1","event_type":"CONVERSATION_MESSAGE"}],"has_more":false}`)
	})
	s.on("/v1/compliance/workspaces/ws-1/logs/log-1", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, store.URL+"/bucket/log-1.jsonl?sig=abc", http.StatusTemporaryRedirect)
	})
	o := scriptedOptions(base, newFakeClock(1700000000))
	o.DLP = &collector.DLP{Scanner: nopScanner{}}
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	require.Equal(t, []string{""}, signed.seen(), "fetched once, without Authorization")
	src := inv.Sources[inventory.SourceConversationLogs]
	assert.Equal(t, inventory.StatusComplete, src.Status, "%v", src.Reason)
	assert.Equal(t, 2, src.Pages, "the list page and the log file")
}

// A download redirected from https to plain http elsewhere is refused.
func TestSignedURLOverPlainHTTPIsRefused(t *testing.T) {
	s := &scripted{handlers: map[string]http.HandlerFunc{}, hits: map[string]int{}}
	src := httptest.NewTLSServer(s)
	t.Cleanup(src.Close)
	s.on("/v1/compliance/workspaces/ws-1/logs", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"object":"list","data":[{"id":"log-1"}],"has_more":false}`)
	})
	s.on("/v1/compliance/workspaces/ws-1/logs/log-1", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://example.invalid/log-1.jsonl", http.StatusTemporaryRedirect)
	})
	o := scriptedOptions(src.URL+"/v1", newFakeClock(1700000000))
	o.HTTPClient = src.Client()
	o.DLP = &collector.DLP{Scanner: nopScanner{}}
	inv, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	logs := inv.Sources[inventory.SourceConversationLogs]
	assert.Equal(t, inventory.StatusFailed, logs.Status)
	assert.Contains(t, *logs.Reason, "a download is only followed over https")
}

type nopScanner struct{}

func (nopScanner) Detectors() []string { return nil }
func (nopScanner) ScanFile(context.Context, string, string, []byte) (string, string, map[string]inventory.Detection) {
	return inventory.FileScanned, "", map[string]inventory.Detection{}
}
