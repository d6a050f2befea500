package main

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/report"
	"github.com/openai-casb/openai-casb/simulator"
)

// A server that knows the key (it was sent it) echoes it back in a header,
// a role, a name and an error body; no form of it reaches standard output,
// standard error, the saved inventory or a report of any format.
func TestEchoedKeyReachesNoReportOrLog(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 20, Seed: 4, Plant: true})
	sim := simulator.New(src, simulator.Options{AdminKey: testKey})
	bare := strings.TrimPrefix(testKey, "sk-admin-")
	b64 := base64.StdEncoding.EncodeToString([]byte(testKey))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Openai-Organization", strings.ToUpper(testKey))
		switch r.URL.Path {
		case "/v1/organization/invites":
			fmt.Fprintf(w, `{"object":"list","data":[{"object":"organization.invite","id":%q,"email":"%s@x.example","role":%q,"status":"pending","created_at":1600000000,"expires_at":null}],"has_more":false}`,
				b64, bare, testKey)
		case "/v1/organization/audit_logs":
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"error":{"message":"bad cursor %s"}}`, bare)
		default:
			sim.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	base := srv.URL + "/v1"
	dir := t.TempDir()
	for _, format := range report.Formats {
		t.Run(format, func(t *testing.T) {
			saved := filepath.Join(dir, format+".inventory.json")
			out := filepath.Join(dir, format+".report")
			r := runEnv(t, simEnv(src), "", "scan", "--format", format, "-o", out, "--save-inventory", saved, "--allow-partial", "--debug",
				"--api-base-url", base, "--compliance-base-url", base, "--max-attempts", "1")
			require.Equal(t, exitOK, r.code, r.stderr)
			rep, err := os.ReadFile(out)
			require.NoError(t, err)
			inv, err := os.ReadFile(saved)
			require.NoError(t, err)
			for where, text := range map[string]string{"stdout": r.stdout, "stderr": r.stderr, "report": string(rep), "inventory": string(inv)} {
				low := strings.ToLower(text)
				assert.NotContains(t, low, strings.ToLower(bare), where)
				assert.NotContains(t, text, b64[:16], where)
			}
			assert.Contains(t, r.stderr, "bad cursor [REDACTED]", "the error was reached")
		})
	}
}
