package collector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openai-casb/openai-casb/inventory"
)

// Check outcomes of a Diagnosis.
const (
	CheckOK   = "ok"
	CheckWarn = "warn" // the scan works, with less than it could read
	CheckFail = "fail" // the scan would be incomplete or could not run
	CheckSkip = "skip" // a list no enabled policy reads: a scan leaves it out
)

// Check areas, in the order a Diagnosis lists them.
const (
	AreaCredentials = "credentials"
	AreaAdmin       = "admin_api"
	AreaCompliance  = "compliance_api"
)

// Check is one thing Diagnose looked at: a credential, or one route that a
// scan reads. Nothing in it is secret.
type Check struct {
	Area string `json:"area"`
	// Name is what was checked: "admin key", or a route such as
	// "GET /organization/users".
	Name string `json:"name"`
	// Source is the inventory source the route fills, for routes.
	Source string `json:"source,omitempty"`
	Status string `json:"status"`
	// HTTPStatus is the API's answer, 0 when no request was made or none
	// was answered.
	HTTPStatus int    `json:"http_status,omitempty"`
	Detail     string `json:"detail"`
	Action     string `json:"action,omitempty"`
}

// Diagnosis is what Diagnose found: every check, and the request to write
// to OpenAI support when the Compliance API refused the key.
type Diagnosis struct {
	Checks         []Check `json:"checks"`
	OrganizationID string  `json:"organization_id,omitempty"`
	WorkspaceID    string  `json:"workspace_id,omitempty"`
	// AuditLogging is "enabled", "disabled" or "unknown".
	AuditLogging string `json:"audit_logging"`
	// SupportRequest is the text to send to OpenAI support to have the
	// Compliance API enabled for the key; empty when not needed.
	SupportRequest string `json:"support_request,omitempty"`
}

// Failed lists the sources of the routes that failed: the lists a scan
// would not read completely.
func (d *Diagnosis) Failed() []string {
	var out []string
	for _, c := range d.Checks {
		if c.Status == CheckFail && c.Source != "" {
			out = append(out, c.Source)
		}
	}
	return out
}

// Runnable reports whether a scan could read anything at all: an admin key
// is there and at least one route answered.
func (d *Diagnosis) Runnable() bool {
	for _, c := range d.Checks {
		if c.Source != "" && (c.Status == CheckOK || c.Status == CheckWarn) {
			return true
		}
	}
	return false
}

// KeyFile is where a key was read from, so Diagnose can check its mode.
type KeyFile struct {
	Path string
	Mode os.FileMode
}

// DiagnoseOptions configure Diagnose: the options a scan would run with,
// plus where each key was read from.
type DiagnoseOptions struct {
	Options
	AdminKeyFile, ComplianceKeyFile *KeyFile
}

// Key kinds, by the prefix OpenAI gives each kind of key.
const (
	KeyAdmin          = "admin key"
	KeyProject        = "project key"
	KeyServiceAccount = "service account key"
	KeyUser           = "user key (legacy)"
	KeyUnknown        = "unknown kind of key"
)

// KeyKind tells what kind of OpenAI key a key is from its prefix.
func KeyKind(key string) string {
	switch {
	case strings.HasPrefix(key, "sk-admin-"):
		return KeyAdmin
	case strings.HasPrefix(key, "sk-proj-"):
		return KeyProject
	case strings.HasPrefix(key, "sk-svcacct-"):
		return KeyServiceAccount
	case strings.HasPrefix(key, "sk-"):
		return KeyUser
	}
	return KeyUnknown
}

var uuidShape = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// DoctorRetry is how Diagnose retries: a little, since it asks once per
// route and should answer in seconds.
var DoctorRetry = RetryPolicy{Attempts: 3, BaseDelay: 250 * time.Millisecond, MaxDelay: 2 * time.Second, MaxRetryAfter: 10 * time.Second, Timeout: 20 * time.Second}

// probe is one route a scan reads, asked for one item.
type probe struct {
	area, source, route, path string
	query                     url.Values
}

// Diagnose checks, read-only and with one small request per route, whether a
// scan with these options would be complete: the keys and where they came
// from, every route of both APIs that the scan reads (limit=1), whether audit
// logging is on, and, when the Compliance API refuses the key, what to ask
// OpenAI support for. Its checks never contain a key.
func Diagnose(ctx context.Context, do DiagnoseOptions) (*Diagnosis, error) {
	o := do.Options
	d := &Diagnosis{AuditLogging: "unknown", WorkspaceID: o.WorkspaceID}
	d.Checks = append(d.Checks, keyChecks("admin key", o.AdminKey, o.AdminKeyFrom, do.AdminKeyFile, true)...)
	if o.AdminKey == "" {
		return d, nil
	}
	if o.Retry.Attempts <= 0 {
		o.Retry = DoctorRetry
	}
	if err := o.defaults(); err != nil {
		return nil, err
	}
	adminURL, err := ParseBaseURL("--api-base-url", o.AdminBaseURL)
	if err != nil {
		return nil, err
	}
	compURL, err := ParseBaseURL("--compliance-base-url", o.ComplianceBaseURL)
	if err != nil {
		return nil, err
	}
	header := http.Header{}
	header.Set("User-Agent", o.Tool.Name+"/"+o.Tool.Version)
	if o.OrganizationID != "" {
		header.Set("OpenAI-Organization", o.OrganizationID)
	}
	sc := o.scrubber()
	slots := newSlots(o.Concurrency)
	// One client per route, so that a refusal of one route (which stops a
	// collection's whole API) does not hide the answers of the others.
	newAdmin := func() *api {
		return (&api{name: adminAPIName, base: adminURL, key: o.AdminKey, keyFrom: o.AdminKeyFrom, header: header,
			http: o.HTTPClient, retry: o.Retry, slots: slots, debug: o.Debug, clock: o.Clock}).harden(o, sc)
	}
	newComp := func() *api {
		return (&api{name: complianceAPIName, base: compURL, key: o.ComplianceKey, keyFrom: o.ComplianceKeyFrom, header: header,
			http: o.HTTPClient, retry: o.Retry, slots: slots, debug: o.Debug, clock: o.Clock}).harden(o, sc)
	}
	now := o.Clock.Now()

	var (
		mu     sync.Mutex
		wg     sync.WaitGroup
		checks = map[string]Check{}
		org    string
	)
	run := func(p probe, a *api, then func(body []byte)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, body := ask(ctx, a, p)
			mu.Lock()
			if h := a.orgHeader.Load(); h != nil && org == "" {
				org = *h
			}
			checks[p.route] = c
			mu.Unlock()
			if then != nil && body != nil {
				then(body)
			}
		}()
	}
	for _, p := range adminProbes(now, o.AuditLogDays) {
		if !o.Reads(p.source) {
			continue
		}
		if p.source == inventory.SourceProjects {
			run(p, newAdmin(), func(body []byte) {
				id, ok := probeProject(body)
				if !ok {
					// The first project listed is archived (archived projects
					// refuse their members and service accounts): ask for an
					// active one, which the list without include_archived
					// gives.
					if body, err := newAdmin().get(ctx, priorityChain, p.route, p.path, url.Values{"limit": {"1"}}); err == nil {
						id, ok = probeProject(body)
					}
				}
				if ok {
					for _, child := range projectProbes(id) {
						if o.Reads(child.source) {
							run(child, newAdmin(), nil)
						}
					}
				}
			})
			continue
		}
		run(p, newAdmin(), nil)
	}
	wsSet := o.WorkspaceID != "" && uuidShape.MatchString(o.WorkspaceID)
	if wsSet {
		for _, p := range complianceProbes(o.WorkspaceID, o.DLP != nil, now) {
			if o.Reads(p.source) {
				run(p, newComp(), nil)
			}
		}
	}
	// The children of the first project are added to wg by its answer,
	// before the answer's own Done: one Wait covers both generations.
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	d.OrganizationID = o.OrganizationID
	d.Checks = append(d.Checks, orgCheck(o.OrganizationID, org))
	if o.OrganizationID == "" {
		d.OrganizationID = org
	}
	d.Checks = append(d.Checks, workspaceCheck(o.WorkspaceID))
	if wsSet {
		ck := keyChecks("Compliance API key", o.ComplianceKey, o.ComplianceKeyFrom, do.ComplianceKeyFile, false)
		d.Checks = append(d.Checks, ck...)
	}
	for _, p := range allProbes(o, now) {
		if !o.Reads(p.source) {
			d.Checks = append(d.Checks, Check{Area: p.area, Name: p.route, Source: p.source, Status: CheckSkip,
				Detail: "not read by a scan: " + inventory.ReasonNotNeeded})
			continue
		}
		c, ok := checks[p.route]
		if !ok {
			if p.area == AreaCompliance && !wsSet {
				continue
			}
			c = Check{Area: p.area, Name: p.route, Source: p.source, Status: CheckWarn,
				Detail: "not checked: the organization has no project to ask about (or the projects list could not be read)"}
			if st := checks["GET /organization/projects"]; st.Status == CheckFail {
				c.Status = CheckFail
			}
		}
		if p.source == inventory.SourceAuditLogs {
			d.AuditLogging = auditState(c)
		}
		d.Checks = append(d.Checks, c)
	}
	if wsSet && complianceRefused(d.Checks) {
		d.SupportRequest = supportRequest(ctx, newAdmin(), o, d.OrganizationID)
	}
	sc.Value(d) // what the servers sent, in checks and ids
	return d, nil
}

// allProbes is every route Diagnose asks about, in the order it lists them;
// per-project routes with a placeholder project.
func allProbes(o Options, now time.Time) []probe {
	out := adminProbes(now, o.AuditLogDays)
	out = append(out, projectProbes("{project_id}")...)
	if o.WorkspaceID != "" {
		out = append(out, complianceProbes(o.WorkspaceID, o.DLP != nil, now)...)
	}
	return out
}

// adminProbes are the organization-level routes of a scan, with the
// parameters the collection sends.
func adminProbes(now time.Time, auditDays int) []probe {
	audit := url.Values{}
	audit.Add("event_types[]", "login.succeeded")
	audit.Set("effective_at[gte]", strconv.FormatInt(now.Add(-time.Duration(auditDays)*24*time.Hour).Unix(), 10))
	projects := url.Values{}
	projects.Set("include_archived", "true")
	return []probe{
		{AreaAdmin, inventory.SourceAdminAPIKeys, "GET /organization/admin_api_keys", "/organization/admin_api_keys", nil},
		{AreaAdmin, inventory.SourceProjects, "GET /organization/projects", "/organization/projects", projects},
		{AreaAdmin, inventory.SourceUsers, "GET /organization/users", "/organization/users", nil},
		{AreaAdmin, inventory.SourceInvites, "GET /organization/invites", "/organization/invites", nil},
		{AreaAdmin, inventory.SourceAuditLogs, "GET /organization/audit_logs", "/organization/audit_logs", audit},
		{AreaAdmin, inventory.SourceOrganizationDataRetention, "GET /organization/data_retention", "/organization/data_retention", nil},
		{AreaAdmin, inventory.SourceOrganizationSpendLimit, "GET /organization/spend_limit", "/organization/spend_limit", nil},
		{AreaAdmin, inventory.SourceOrganizationSpendAlerts, "GET /organization/spend_alerts", "/organization/spend_alerts", nil},
		{AreaAdmin, inventory.SourceOrganizationCertificates, "GET /organization/certificates", "/organization/certificates", nil},
		{AreaAdmin, inventory.SourceRoles, "GET /organization/roles", "/organization/roles", nil},
		{AreaAdmin, inventory.SourceGroups, "GET /organization/groups", "/organization/groups", nil},
	}
}

// projectProbes are the per-project routes of a scan, asked of one project.
func projectProbes(id string) []probe {
	base := "/organization/projects/" + url.PathEscape(id)
	keys := url.Values{}
	keys.Set("owner_project_access", "any")
	out := []probe{
		{AreaAdmin, inventory.SourceProjectAPIKeys, "GET /organization/projects/{project_id}/api_keys", base + "/api_keys", keys},
		{AreaAdmin, inventory.SourceProjectServiceAccounts, "GET /organization/projects/{project_id}/service_accounts", base + "/service_accounts", nil},
		{AreaAdmin, inventory.SourceProjectUsers, "GET /organization/projects/{project_id}/users", base + "/users", nil},
	}
	for _, r := range projectRoutes {
		out = append(out, probe{AreaAdmin, r.source, r.route, base + r.suffix, nil})
	}
	return out
}

// complianceProbes are the Compliance API routes of a scan: the GPTs,
// members, ChatGPT projects, agents and plugins always, each log event type
// with DLP.
func complianceProbes(ws string, dlp bool, now time.Time) []probe {
	base := "/compliance/workspaces/" + url.PathEscape(ws)
	out := []probe{
		{AreaCompliance, inventory.SourceGPTs, "GET /compliance/workspaces/{workspace_id}/gpts", base + "/gpts", nil},
		{AreaCompliance, inventory.SourceWorkspaceUsers, "GET /compliance/workspaces/{workspace_id}/users", base + "/users", nil},
		{AreaCompliance, inventory.SourceChatGPTProjects, routeProjects, base + "/projects", nil},
	}
	out = append(out, opaqueProbes(base)...)
	if dlp {
		logs := url.Values{}
		logs.Set("event_type", conversationEvent)
		logs.Set("after", now.Add(-24*time.Hour).UTC().Format(time.RFC3339))
		out = append(out,
			probe{AreaCompliance, inventory.SourceConversationLogs, routeLogs + "?event_type=" + conversationEvent, base + "/logs", logs},
		)
	}
	return out
}

// probeProject picks the project to ask the per-project routes about: the
// first one not archived (archived projects refuse their members and service
// accounts), else none.
func probeProject(body []byte) (string, bool) {
	var p struct {
		Data []struct {
			ID         string     `json:"id"`
			Status     flexString `json:"status"`
			ArchivedAt flexTime   `json:"archived_at"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &p) != nil {
		return "", false
	}
	for _, pr := range p.Data {
		if pr.ID != "" && projectStatus(pr.Status.v, pr.ArchivedAt.v) != inventory.ProjectArchived {
			return pr.ID, true
		}
	}
	return "", false
}

// ask sends one probe (limit=1) and explains the answer. The per-project
// probes ask for the first active project; their check is named by the
// route, not the project.
func ask(ctx context.Context, a *api, p probe) (Check, []byte) {
	q := url.Values{}
	for k, v := range p.query {
		q[k] = append([]string(nil), v...)
	}
	q.Set("limit", "1")
	c := Check{Area: p.area, Name: p.route, Source: p.source}
	body, err := a.get(ctx, priorityChain, p.route, p.path, q)
	if err == nil {
		c.Status, c.HTTPStatus, c.Detail = CheckOK, http.StatusOK, "readable"
		return c, body
	}
	status, msg := statusOf(err)
	c.HTTPStatus = status
	c.Status = CheckFail
	c.Detail, c.Action = meaning(a.name, p, status, msg, err)
	if mayBeAbsent(p.source) && (status == http.StatusNotFound || status == http.StatusForbidden) {
		// A scan records it skipped, with the reason: nothing fails.
		c.Status = CheckWarn
		c.Detail = fmt.Sprintf("%d: not available to this workspace or key; a scan records it skipped, and findings that read it cannot fire", status)
		c.Action = "nothing to do unless the workspace has them: then ask OpenAI support for the key's read access to this route"
	}
	return c, nil
}

// statusOf is the HTTP status and the server's (redacted) message behind an
// error of fetch, 0 when none was answered.
func statusOf(err error) (int, string) {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status, he.Message
	}
	var ae *AccessError
	if errors.As(err, &ae) {
		return ae.Status, ae.Detail
	}
	return 0, ""
}

// missingScopes reads the scopes a 403 names ("Missing scopes: a, b.").
var missingScopes = regexp.MustCompile(`(?i)missing scopes?:\s*([A-Za-z0-9_.:, -]+)`)

// meaning says what an answer means for a scan, and what to do about it.
func meaning(apiName string, p probe, status int, msg string, err error) (detail, action string) {
	server := ""
	if msg != "" {
		server = " (the API said: " + msg + ")"
	}
	switch {
	case status == 0:
		return "no answer: " + err.Error(), "check the base URL, the network path to the API (proxy, firewall) and try again"
	case status == http.StatusUnauthorized:
		return "401: the key is not valid (revoked, mistyped, or of another organization or workspace)" + server,
			"create a new key and set it again; for the Admin API an admin key (sk-admin-…) made by an organization owner"
	case status == http.StatusForbidden && apiName == adminAPIName:
		return "403: not an admin key, or the key lacks permission for this list" + server,
			"use an admin key (sk-admin-…, read-only is enough) created under Organization settings > Admin keys; project and service account keys cannot read /organization"
	case status == http.StatusForbidden:
		scope := "the Compliance API read scope for this route"
		if m := missingScopes.FindStringSubmatch(msg); m != nil {
			scope = "the scope " + strings.TrimRight(strings.TrimSpace(m[1]), ".")
		}
		if p.source == inventory.SourceConversationLogs {
			scope += " (read access to " + conversationEvent + " logs: scopes are granted per log event type)"
		}
		return "403: the key has not been granted " + scope + server,
			"ask OpenAI support to grant the key read access (see the support request below)"
	case p.source == inventory.SourceAuditLogs && (status == http.StatusBadRequest || status == http.StatusNotFound):
		return fmt.Sprintf("%d: audit logging is not enabled for the organization%s: \"Inactive user\" can only use API key activity, not logins", status, server),
			"an organization owner enables it under Settings > Data controls > Data retention > Audit logging (it cannot be switched off again)"
	case status == http.StatusBadRequest || status == http.StatusNotFound:
		return fmt.Sprintf("%d: this list is not available to the organization (feature not on its plan, or not in this API version)%s", status, server),
			"check the organization's plan; findings that need this list cannot fire"
	case status == http.StatusTooManyRequests || status >= 500:
		return fmt.Sprintf("%d: the API did not answer after %s%s", status, "retries", server), "try again later"
	}
	return fmt.Sprintf("%d %s%s", status, http.StatusText(status), server), ""
}

// auditState reads the audit log's check as enabled, disabled or unknown.
func auditState(c Check) string {
	switch {
	case c.Status == CheckOK:
		return "enabled"
	case c.HTTPStatus == http.StatusBadRequest || c.HTTPStatus == http.StatusNotFound:
		return "disabled"
	}
	return "unknown"
}

// keyChecks describe one key: where it was found, its kind, and the mode of
// the file it came from.
func keyChecks(what, key, from string, file *KeyFile, admin bool) []Check {
	if key == "" {
		return []Check{{Area: AreaCredentials, Name: what, Status: CheckFail,
			Detail: "no " + what + " found", Action: "set OPENAI_ADMIN_KEY, or put the key in a file and pass --admin-key-file FILE"}}
	}
	kind := KeyKind(key)
	c := Check{Area: AreaCredentials, Name: what, Status: CheckOK, Detail: fmt.Sprintf("%s, from %s", kind, from)}
	switch {
	case admin && kind != KeyAdmin:
		c.Status = CheckFail
		c.Detail += ": only an admin key reads the /organization lists a scan needs"
		c.Action = "create an admin key (sk-admin-…; read-only is enough) under Organization settings > Admin keys (an organization owner can), and set it as OPENAI_ADMIN_KEY"
	case !admin && kind != KeyAdmin && kind != KeyUnknown:
		c.Status = CheckWarn
		c.Detail += ": Compliance API access is granted to admin keys or to workspace keys made in the ChatGPT admin console"
	}
	out := []Check{c}
	if file != nil {
		fc := Check{Area: AreaCredentials, Name: what + " file", Status: CheckOK, Detail: fmt.Sprintf("%s, mode %04o", file.Path, file.Mode.Perm())}
		if file.Mode.Perm()&0o077 != 0 {
			fc.Status = CheckWarn
			fc.Detail += ": other users can read it"
			fc.Action = "chmod 600 " + file.Path
		}
		out = append(out, fc)
	}
	return out
}

func orgCheck(given, answered string) Check {
	c := Check{Area: AreaCredentials, Name: "organization id", Status: CheckOK}
	switch {
	case given != "" && !strings.HasPrefix(given, "org-"):
		c.Status, c.Detail = CheckWarn, fmt.Sprintf("OPENAI_ORG_ID is %q, which does not look like an organization id (org-…)", given)
		c.Action = "copy the id from Organization settings > General"
	case given != "" && answered != "" && answered != given:
		c.Status, c.Detail = CheckWarn, fmt.Sprintf("OPENAI_ORG_ID is %s but the Admin API answered for %s", given, answered)
		c.Action = "check that the admin key belongs to the organization you mean"
	case given != "":
		c.Detail = given + ", from OPENAI_ORG_ID"
	case answered != "":
		c.Detail = answered + ", from the Admin API's OpenAI-Organization header"
	default:
		c.Status, c.Detail = CheckWarn, "not given, and the Admin API did not say it: findings and baselines will name the organization \"unknown\""
		c.Action = "set OPENAI_ORG_ID (Organization settings > General)"
	}
	return c
}

func workspaceCheck(ws string) Check {
	c := Check{Area: AreaCredentials, Name: "workspace id", Status: CheckOK}
	switch {
	case ws == "":
		c.Status, c.Detail = CheckWarn, "CHATGPT_WORKSPACE_ID is not set: the Compliance API is not read, and the ChatGPT Enterprise findings (GPTs, workspace files) cannot fire"
		c.Action = "set CHATGPT_WORKSPACE_ID to the workspace's id (a UUID, under chatgpt.com/admin/settings) if the organization has ChatGPT Enterprise or Edu"
	case !uuidShape.MatchString(ws):
		c.Status, c.Detail = CheckFail, "CHATGPT_WORKSPACE_ID is not a UUID (8-4-4-4-12 hexadecimal digits)"
		c.Action = "copy the workspace id from chatgpt.com/admin/settings"
	default:
		c.Detail = ws + ", from CHATGPT_WORKSPACE_ID"
	}
	return c
}

// complianceRefused reports whether the Compliance API refused the key on
// any route: what a support request fixes.
func complianceRefused(cs []Check) bool {
	for _, c := range cs {
		if c.Area == AreaCompliance && c.Status == CheckFail && (c.HTTPStatus == http.StatusForbidden || c.HTTPStatus == http.StatusUnauthorized) {
			return true
		}
	}
	return false
}

// supportRequest writes the message OpenAI support needs to enable the
// Compliance API for a key: its name, last four characters and creator
// (from the organization's admin keys, when the key is one of them), the
// organization and workspace, and the scopes wanted. Never the key.
func supportRequest(ctx context.Context, admin *api, o Options, orgID string) string {
	key := o.ComplianceKey
	last4 := key
	if len(key) > 4 {
		last4 = key[len(key)-4:]
	}
	name, creator := "(not one of the organization's admin keys: give the name you gave it)", "(unknown: give the name of the person who created it)"
	if k, ok := findAdminKey(ctx, admin, key); ok {
		if k.Name != nil && *k.Name != "" {
			name = *k.Name
		} else {
			name = "(unnamed admin key " + k.ID + ")"
		}
		if k.Owner != nil && k.Owner.Name != nil {
			creator = *k.Owner.Name
			if k.Owner.ID != nil {
				creator += " (" + *k.Owner.ID + ")"
			}
		}
	}
	if orgID == "" {
		orgID = "(unknown)"
	}
	scopes := "read access to the Compliance API for GPTs, users and ChatGPT projects"
	if o.DLP != nil {
		scopes += ", and to " + conversationEvent + " logs"
	}
	return strings.Join([]string{
		"Subject: Please enable Compliance API access for our workspace and key",
		"",
		"Hello OpenAI support,",
		"",
		"please enable the ChatGPT Compliance API for our workspace and grant this key read access.",
		"",
		"  Organization ID:     " + orgID,
		"  Workspace ID:        " + o.WorkspaceID,
		"  Key name:            " + name,
		"  Key last four chars: " + last4,
		"  Key created by:      " + creator,
		"  Scopes wanted:       " + scopes + " (read only; no write access is needed)",
		"",
		"Thank you.",
	}, "\n")
}

// findAdminKey looks the key up among the organization's admin keys by its
// redacted value (a visible head and tail around dots or stars).
func findAdminKey(ctx context.Context, a *api, key string) (inventory.AdminAPIKey, bool) {
	var found []inventory.AdminAPIKey
	_, err := a.list(ctx, priorityChain, "GET /organization/admin_api_keys", "/organization/admin_api_keys", nil, func(raw json.RawMessage) error {
		k, err := normalizeAdminKey(raw, nil)
		if err == nil && k.RedactedValue != nil && matchesRedacted(key, *k.RedactedValue) {
			found = append(found, k)
		}
		return nil
	})
	if err != nil || len(found) != 1 {
		return inventory.AdminAPIKey{}, false
	}
	return found[0], true
}

// matchesRedacted reports whether key could be the key behind a redacted
// value such as "sk-admin...def" or "sk-admin-****abcd".
func matchesRedacted(key, redacted string) bool {
	cut := strings.IndexAny(redacted, ".*")
	if cut < 0 {
		return false
	}
	head := redacted[:cut]
	tail := strings.TrimLeft(redacted[cut:], ".*")
	return tail != "" && strings.HasPrefix(key, head) && strings.HasSuffix(key, tail) && len(key) >= len(head)+len(tail)
}

// PermissionReason reports whether a source's reason says the API refused
// the key or a permission (401 or 403), which `doctor` explains.
func PermissionReason(reason string) bool {
	return strings.Contains(reason, "401 "+http.StatusText(http.StatusUnauthorized)) ||
		strings.Contains(reason, "403 "+http.StatusText(http.StatusForbidden))
}
