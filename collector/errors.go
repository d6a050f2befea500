package collector

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// API names, as messages and sources reasons say them.
const (
	adminAPIName      = "Admin API"
	complianceAPIName = "Compliance API"
)

// ReadmeComplianceSection is where the docs explain how to get a key the
// Compliance API accepts.
const ReadmeComplianceSection = `docs/collection.md, "Enabling the Compliance API"`

// AccessError is an API refusing the key itself: 401 on either API. It
// stops every list of that API.
type AccessError struct {
	API     string
	KeyFrom string // e.g. OPENAI_ADMIN_KEY; never the key
	Status  int
	Detail  string // the server's message, redacted
}

func (e *AccessError) Error() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "the %s refused the key from %s (%d %s", e.API, e.KeyFrom, e.Status, http.StatusText(e.Status))
	if e.Detail != "" {
		fmt.Fprintf(&sb, ": %s", e.Detail)
	}
	sb.WriteString("): ")
	switch {
	case e.API == adminAPIName:
		sb.WriteString("the key is invalid, revoked, or not an admin key; create an admin key (sk-admin-…, read-only is enough) under Organization settings > Admin keys. Project keys cannot read /organization endpoints")
	default:
		sb.WriteString("the key is invalid or revoked, or is not a key of this workspace; see " + ReadmeComplianceSection)
	}
	return sb.String()
}

// ScopeError is a Compliance API route answering 403: the key lacks that
// route's read scope. Only this route's list fails; the others are read.
type ScopeError struct {
	*HTTPError
	KeyFrom string // e.g. CHATGPT_COMPLIANCE_KEY; never the key
	Scope   string // the scope the server named, or what the route reads
}

func (e *ScopeError) Error() string {
	return fmt.Sprintf("%v (the key from %s has not been granted the Compliance API scope this route needs: %s; a key gets one read scope per kind of data and per log event type, so the other lists were still read; see %s)",
		e.HTTPError, e.KeyFrom, e.Scope, ReadmeComplianceSection)
}

func (e *ScopeError) Unwrap() error { return e.HTTPError }

// missingScope finds the scope a 403 message names ("Missing scopes:
// api.compliance.read").
var missingScope = regexp.MustCompile(`(?i)missing scopes?:?\s+([A-Za-z0-9_.:*\-]+(?:\s*,\s*[A-Za-z0-9_.:*\-]+)*)`)

// scopeOf names the scope a refused route needs: the one the server's
// message names, else what the route reads. The scopes' names are not
// public (compliance-api-evidence.md), so the fallback describes, it does
// not name.
func scopeOf(msg, route string, q url.Values) string {
	if m := missingScope.FindStringSubmatch(msg); m != nil {
		return strings.TrimRight(m[1], ".")
	}
	switch {
	case strings.HasSuffix(route, "/logs"):
		if t := q.Get("event_type"); t != "" {
			return "read access to " + t + " logs"
		}
		return "read access to the logs"
	case strings.HasSuffix(route, "/gpts"):
		return "read access to GPTs"
	case strings.HasSuffix(route, "/users"):
		return "read access to workspace users"
	case strings.HasSuffix(route, "/projects"):
		return "read access to ChatGPT projects"
	}
	return "read access to " + route
}

// listError explains a list that an Admin API key may not read (403), where
// the other lists may still work.
func listError(err error, keyFrom string) error {
	he, ok := err.(*HTTPError)
	if !ok || he.Status != http.StatusForbidden || he.API != adminAPIName {
		return err
	}
	return fmt.Errorf("%w (the key from %s lacks access to this list; a full admin key or a read-only admin key reads every list openai-casb needs)", err, keyFrom)
}

// NothingReadError is a collection in which every list failed.
type NothingReadError struct {
	Reasons []string
}

func (e *NothingReadError) Error() string {
	return "nothing could be read from either API:\n  " + strings.Join(e.Reasons, "\n  ")
}
