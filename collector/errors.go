package collector

import (
	"fmt"
	"net/http"
	"strings"
)

// API names, as messages and sources reasons say them.
const (
	adminAPIName      = "Admin API"
	complianceAPIName = "Compliance API"
)

// ReadmeComplianceSection is where the README explains how to get a key the
// Compliance API accepts.
const ReadmeComplianceSection = `README.md, "Enabling the Compliance API"`

// AccessError is an API refusing the key itself: 401 on either API, or 403
// on the Compliance API (whose scopes are granted per key). It stops every
// list of that API.
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
	case e.Status == http.StatusForbidden:
		sb.WriteString("the key has not been granted the Compliance API scopes (compliance read access for the workspace); see " + ReadmeComplianceSection)
	default:
		sb.WriteString("the key is invalid or revoked, or is not a key of this workspace; see " + ReadmeComplianceSection)
	}
	return sb.String()
}

// listError explains a list that an Admin API key may not read (403), where
// the other lists may still work.
func listError(err error, keyFrom string) error {
	he, ok := err.(*HTTPError)
	if !ok || he.Status != http.StatusForbidden {
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
