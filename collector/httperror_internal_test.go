package collector

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/openai-casb/openai-casb/internal/scrub"
)

// An error body that is not JSON is shortened for the message, but only
// after it is scrubbed: cut first, a key-shaped string that straddles the
// cut loses the length that makes it recognisable, and its start leaks.
func TestErrorBodyIsScrubbedBeforeItIsShortened(t *testing.T) {
	a := &api{name: adminAPIName, scrub: scrub.New("sk-admin-FAKE-known-key")}
	straddling := "sk-proj-" + strings.Repeat("HOSTILEother", 3)
	body := strings.Repeat("x", 200-len("sk-proj-HOSTILEotherHO")) + straddling + " and more " + strings.Repeat("y", 100)
	e := a.httpError("/organization/audit_logs", 418, []byte(body))
	assert.NotContains(t, strings.ToLower(e.Message), "hostileother")
	assert.LessOrEqual(t, len(e.Message), 200+len("…"))
	assert.True(t, strings.HasSuffix(e.Message, "…"), e.Message)
}
