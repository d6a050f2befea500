package evaluator_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/policies"
)

const fixtures = "../fixtures/inventory"

// The finding catalog of ../shared/reference/findings.md, typed in by hand:
// the policies' METADATA must say exactly this.
var wantCatalog = []struct {
	id, title, severity, category string
	enterprise                    bool
}{
	{"5a2995f5-0cc1-4af3-9045-cdf7e6601f7b", "OpenAI: GPT with Custom Actions enabled", "high", "Model and tool governance", true},
	{"d368036a-be90-49f0-b7da-5092a3f8beb4", "OpenAI: GPT with Code Interpreter enabled", "medium", "Model and tool governance", true},
	{"3af14358-5ff2-4502-921e-7ffd9a310093", "OpenAI: GPT with web browsing enabled", "medium", "Model and tool governance", true},
	{"c69adfa6-2362-4939-86ec-49ff34093cfd", "OpenAI: GPT publicly accessible via GPT Store", "high", "Publishing and sharing", true},
	{"de460c9f-55c0-4131-9cdf-e4c3b84f9549", "OpenAI: GPT publicly accessible via public link", "high", "Publishing and sharing", true},
	{"b72e971d-f5b9-4cf3-96f4-ef82bdf38453", "OpenAI: Admin API key not rotated", "high", "API key hygiene", false},
	{"2c079fe8-6188-43e1-a2e5-d0e2dd8c7686", "OpenAI: Project API key not rotated", "high", "API key hygiene", false},
	{"49c75a36-1e64-437b-98a1-e54ec35d0a64", "OpenAI: Unused admin API key", "medium", "API key hygiene", false},
	{"c8fd231b-de51-43cc-8c3f-e1e57114c5f5", "OpenAI: Unused project API key", "medium", "API key hygiene", false},
	{"776ceb93-fa9a-4ca0-83db-668a67c09936", "OpenAI: High-privilege invite", "high", "Access security", false},
	{"20ab9ddb-fd48-46a8-9fdf-9bb9b9061f21", "OpenAI: Inactive user", "medium", "Access security", false},
	{"18fd5b21-8489-485e-9c93-0bd4a696e724", "OpenAI: Stale pending invite", "low", "Access security", false},
	{"9aca654d-b331-4052-a5b4-2ceecced8676", "OpenAI: File in ChatGPT Conversation with DLP Profile match", "high", "Data Loss Prevention", true},
	{"520200f5-7dcc-42c9-bc3c-423019159d45", "OpenAI: File in ChatGPT GPT with DLP Profile match", "high", "Data Loss Prevention", true},
	{"8e46ec69-e5c1-4f53-ab00-a92f2050ec33", "OpenAI: File in ChatGPT Project with DLP Profile match", "high", "Data Loss Prevention", false},
	// Beyond the seed catalog (issue 13): ids minted once, never changed.
	{"ce44dd6a-8298-4f4c-acf5-f660cfe4cec7", "OpenAI: Project API key whose owner lost project access", "high", "Credentials", false},
	{"346872ed-a583-44bd-9450-c0d64df345db", "OpenAI: Admin API key owned by someone who is no longer an owner", "high", "Credentials", false},
	{"9e473a30-fe4e-49dc-9407-1e8e5fa5aa02", "OpenAI: API key owned by a disabled or banned user", "high", "Credentials", false},
	{"f75e05e4-cb53-46da-9ab0-42c91cc7fc6b", "OpenAI: Admin API key with no expiry", "medium", "Credentials", false},
	{"dde6eb03-a01e-4aac-8cde-d9999d90a03e", "OpenAI: Secret in a GPT's instructions or action definition", "critical", "Credentials", true},
	{"fcfd97cb-695a-407c-a7da-40326afa8218", "OpenAI: More organization owners than allowed", "medium", "Identity", false},
	{"c9980cb9-5767-4381-b462-7bb252779607", "OpenAI: Custom role granting organization-admin permissions", "high", "Identity", false},
	{"222b77a1-036d-4d0f-ac93-75cde94a186e", "OpenAI: Person offboarded on one plane but active on the other", "high", "Identity", true},
	{"181f2552-8a10-48bf-8981-833978826ef1", "OpenAI: Invite to an email domain outside the organization", "medium", "Identity", false},
	{"c6a653b3-d86e-4710-aadf-a42a383b6d1a", "OpenAI: Data retention outside the allowed types", "medium", "Data governance", false},
	{"468386e1-6bae-4906-8fbb-e5d55fbf0e28", "OpenAI: Project data residency outside the allowed regions", "medium", "Data governance", false},
	{"b146bdc5-c1a7-4145-83a2-efdf1a36efc8", "OpenAI: Project with a risky hosted tool enabled", "medium", "Tools and agents", false},
	{"0ccdd1d4-97e2-4394-8b99-024b69ba085a", "OpenAI: Project without a model allow-list", "low", "Tools and agents", false},
	{"0ea4f384-454d-4b6b-a474-b57d062a06ac", "OpenAI: GPT custom action without authentication", "high", "Tools and agents", true},
	{"a9f5823f-42e6-4bf2-a37e-58256438c77c", "OpenAI: GPT action calling a domain outside the allowed list", "medium", "Tools and agents", true},
	{"bb0fa2c5-68ff-4032-97ed-6ecaac7418ea", "OpenAI: GPT whose owner is no longer an active workspace member", "medium", "Tools and agents", true},
	{"6bb079ae-f60a-4c5b-b581-9f7adb4325e4", "OpenAI: GPT editable by too many people", "low", "Tools and agents", true},
	{"5e3d9115-9eae-40db-9596-18378d47738a", "OpenAI: Workspace agent or plugin whose owner is no longer an active member", "medium", "Tools and agents", true},
	{"a853064b-3382-413b-a3c5-bd110289eed8", "OpenAI: ChatGPT project shared by link outside its owner", "medium", "Data governance", true},
	{"ec0de752-7dd6-4483-bd5d-35b3899963c3", "OpenAI: Audit logging not enabled", "high", "Operations", false},
	{"96915f30-ad6f-4b36-be8a-b871ed0fd651", "OpenAI: No enforcing hard spend limit", "medium", "Operations", false},
	{"75769463-3ecb-4c62-b4f6-0401f1b4145c", "OpenAI: mTLS certificate expired or expiring while active", "high", "Operations", false},
}

// What acme.json was written to trigger: finding type id -> resource ids.
var wantAcme = map[string][]string{
	"5a2995f5-0cc1-4af3-9045-cdf7e6601f7b": {"g-acme-crm", "g-ticket-bot"},
	"d368036a-be90-49f0-b7da-5092a3f8beb4": {"g-data-analyst"},
	"3af14358-5ff2-4502-921e-7ffd9a310093": {"g-market-research"},
	"c69adfa6-2362-4939-86ec-49ff34093cfd": {"g-brand-voice"},
	"de460c9f-55c0-4131-9cdf-e4c3b84f9549": {"g-onboarding"},
	"b72e971d-f5b9-4cf3-96f4-ef82bdf38453": {"key_admin_idle", "key_admin_old"},
	"2c079fe8-6188-43e1-a2e5-d0e2dd8c7686": {"key_pay_idle", "key_pay_old"},
	"49c75a36-1e64-437b-98a1-e54ec35d0a64": {"key_admin_idle", "key_admin_never"},
	"c8fd231b-de51-43cc-8c3f-e1e57114c5f5": {"key_pay_idle", "key_pay_never"},
	"776ceb93-fa9a-4ca0-83db-668a67c09936": {"invite-owner", "invite-proj-owner"},
	"20ab9ddb-fd48-46a8-9fdf-9bb9b9061f21": {"user-bob", "user-carol"},
	"18fd5b21-8489-485e-9c93-0bd4a696e724": {"invite-past-expiry", "invite-stale"},
	// The estate beyond the seed catalog. Residency and action domains are
	// checked only when their allow-lists are configured, and audit logging
	// is on in acme (audit-off.json has it off).
	"ce44dd6a-8298-4f4c-acf5-f660cfe4cec7": {"key_res_orphan"},
	"346872ed-a583-44bd-9450-c0d64df345db": {"key_admin_idle"},
	"9e473a30-fe4e-49dc-9407-1e8e5fa5aa02": {"key_res_peggy"},
	"f75e05e4-cb53-46da-9ab0-42c91cc7fc6b": {"key_admin_idle", "key_admin_never", "key_admin_new", "key_admin_old"},
	"dde6eb03-a01e-4aac-8cde-d9999d90a03e": {"g-policy-helper", "g-ticket-bot"},
	"fcfd97cb-695a-407c-a7da-40326afa8218": {"org-acme000000000000000000"},
	"c9980cb9-5767-4381-b462-7bb252779607": {"role_group_mgr"},
	"222b77a1-036d-4d0f-ac93-75cde94a186e": {"user-oscar", "user-peggy"},
	"181f2552-8a10-48bf-8981-833978826ef1": {"invite-owner"},
	"c6a653b3-d86e-4710-aadf-a42a383b6d1a": {"proj_research"},
	"b146bdc5-c1a7-4145-83a2-efdf1a36efc8": {"proj_research", "proj_research"},
	"0ccdd1d4-97e2-4394-8b99-024b69ba085a": {"proj_research"},
	"0ea4f384-454d-4b6b-a474-b57d062a06ac": {"g-ticket-bot"},
	"bb0fa2c5-68ff-4032-97ed-6ecaac7418ea": {"g-onboarding"},
	"6bb079ae-f60a-4c5b-b581-9f7adb4325e4": {"g-acme-crm"},
	"5e3d9115-9eae-40db-9596-18378d47738a": {"agent_legacy_sync"},
	"a853064b-3382-413b-a3c5-bd110289eed8": {"g-p-acme-launch", "g-p-acme-pricing"},
	"96915f30-ad6f-4b36-be8a-b871ed0fd651": {"org-acme000000000000000000", "proj_research"},
	"75769463-3ecb-4c62-b4f6-0401f1b4145c": {"cert_client_2026"},
}

// audit-off.json is clean.json with audit logging never switched on.
func TestAuditOffFiresAuditLogging(t *testing.T) {
	findings := evaluate(t, newEngine(t, ""), "audit-off.json", evaluator.EvalOptions{})
	require.Len(t, findings, 1)
	assert.Equal(t, "ec0de752-7dd6-4483-bd5d-35b3899963c3", findings[0].FindingTypeID)
	assert.Equal(t, "organization", findings[0].Resource.Type)
}

// With its allow-lists configured, acme fires the residency and action
// domain findings too.
func TestAllowListsFireWhenConfigured(t *testing.T) {
	dir := exportTo(t)
	cfg := filepath.Join(dir, "config.rego")
	raw, err := os.ReadFile(cfg)
	require.NoError(t, err)
	edited := strings.Replace(string(raw), "allowed_residencies := set()", `allowed_residencies := {"EU_STORAGE_PROCESSING"}`, 1)
	edited = strings.Replace(edited, "allowed_action_domains := set()", `allowed_action_domains := {"acme-partner.example"}`, 1)
	require.NoError(t, os.WriteFile(cfg, []byte(edited), 0o644))
	got := map[string][]string{}
	for _, f := range evaluate(t, newEngine(t, dir), "acme.json", evaluator.EvalOptions{}) {
		got[f.FindingTypeID] = append(got[f.FindingTypeID], f.Resource.ID)
	}
	assert.Equal(t, []string{"proj_research"}, got["468386e1-6bae-4906-8fbb-e5d55fbf0e28"])
	assert.Equal(t, []string{"g-ticket-bot"}, got["a9f5823f-42e6-4bf2-a37e-58256438c77c"])
}

func TestCatalogIsTheFindingCatalog(t *testing.T) {
	e := newEngine(t, "")
	got := map[string]evaluator.FindingType{}
	for _, ft := range e.Catalog() {
		got[ft.ID] = ft
	}
	require.Len(t, got, len(wantCatalog))
	for _, w := range wantCatalog {
		ft, ok := got[w.id]
		if !assert.True(t, ok, "missing %s (%s)", w.id, w.title) {
			continue
		}
		assert.Equal(t, w.title, ft.Title)
		assert.Equal(t, w.severity, ft.Severity.String(), w.title)
		assert.Equal(t, w.category, ft.Category, w.title)
		assert.Equal(t, w.enterprise, ft.EnterpriseRequired, w.title)
		assert.NotEmpty(t, ft.Remediation, w.title)
		assert.NotEmpty(t, ft.Description, w.title)
		assert.Regexp(t, `^policies/\w+\.rego:\d+$`, ft.Location)
	}
}

func TestAcmeFiresEveryFindingTypeOnItsResources(t *testing.T) {
	findings := evaluate(t, newEngine(t, ""), "acme.json", evaluator.EvalOptions{})
	got := map[string][]string{}
	for _, f := range findings {
		got[f.FindingTypeID] = append(got[f.FindingTypeID], f.Resource.ID)
		assert.NotEmpty(t, f.Message)
		assert.NotEmpty(t, f.Remediation)
	}
	for id := range got {
		sort.Strings(got[id])
	}
	assert.Equal(t, wantAcme, got)
}

func TestCleanHasNoFindings(t *testing.T) {
	assert.Empty(t, evaluate(t, newEngine(t, ""), "clean.json", evaluator.EvalOptions{}))
}

func TestFindingsAreSortedAndStable(t *testing.T) {
	e := newEngine(t, "")
	a := evaluate(t, e, "acme.json", evaluator.EvalOptions{})
	b := evaluate(t, e, "acme.json", evaluator.EvalOptions{})
	assert.Equal(t, a, b)
	for i := 1; i < len(a); i++ {
		assert.GreaterOrEqual(t, a[i-1].Severity, a[i].Severity, "most severe first")
	}
	assert.Equal(t, evaluator.SeverityCritical, a[0].Severity)
	assert.Equal(t, evaluator.SeverityLow, a[len(a)-1].Severity)
}

func TestNowOverridesCollectedAt(t *testing.T) {
	e := newEngine(t, "")
	later := time.Unix(1795651200, 0).Add(100 * 24 * time.Hour)
	findings := evaluate(t, e, "clean.json", evaluator.EvalOptions{Now: &later})
	ids := map[string]bool{}
	for _, f := range findings {
		ids[f.FindingTypeID+"/"+f.Resource.ID] = true
	}
	// 100 days on, the clean organization's young keys are old and its
	// fresh invite is stale; the admin key that expires 80 days after
	// collection no longer works by then and raises nothing.
	assert.True(t, ids["b72e971d-f5b9-4cf3-96f4-ef82bdf38453/key_admin_new"], "admin key not rotated")
	assert.False(t, ids["b72e971d-f5b9-4cf3-96f4-ef82bdf38453/key_admin_fresh"], "expired admin key")
	assert.True(t, ids["2c079fe8-6188-43e1-a2e5-d0e2dd8c7686/key_pay_fresh"], "project key not rotated")
	assert.True(t, ids["18fd5b21-8489-485e-9c93-0bd4a696e724/invite-fresh"], "stale invite")
}

func TestUserPolicyJoinsTheCatalog(t *testing.T) {
	dir := exportTo(t)
	writeFile(t, dir, "custom/shadow_admins.rego", `package acme.custom

import data.openai.lib

# METADATA
# title: "Acme: Admin key owned by a reader"
# description: An admin key whose owner is not an organization owner.
# custom:
#   finding_type_id: acme-0001
#   severity: critical
#   category: Acme rules
#   remediation: Move the key to an owner.
deny contains finding if {
	some key in input.admin_api_keys
	key.owner.name == "Bob Builder"
	finding := lib.finding(rego.metadata.rule(), {"type": "admin_api_key", "id": key.id, "name": key.name}, "owned by Bob")
}
`)
	e := newEngine(t, dir)
	var custom *evaluator.FindingType
	for _, ft := range e.Catalog() {
		if ft.ID == "acme-0001" {
			custom = &ft
		}
	}
	require.NotNil(t, custom, "the user's finding type is in the catalog")
	assert.Equal(t, "Acme: Admin key owned by a reader", custom.Title)
	assert.Equal(t, evaluator.SeverityCritical, custom.Severity)
	assert.False(t, custom.EnterpriseRequired)

	findings := evaluate(t, e, "acme.json", evaluator.EvalOptions{})
	require.NotEmpty(t, findings)
	first := findings[0]
	assert.Equal(t, "acme-0001", first.FindingTypeID, "critical sorts first")
	assert.Equal(t, "Acme: Admin key owned by a reader", first.Title)
	assert.Equal(t, "key_admin_idle", first.Resource.ID)
	assert.Equal(t, "Move the key to an owner.", first.Remediation)
}

func TestPolicyErrorsNameFileAndLine(t *testing.T) {
	cases := []struct {
		name, file, src string
		want            []string
	}{
		{
			name: "no metadata",
			file: "extra.rego",
			src:  "package acme\n\ndeny contains x if {\n\tsome u in input.users\n\tx := u.id\n}\n",
			want: []string{"extra.rego:3: deny rule has no METADATA", "every deny rule needs a METADATA block"},
		},
		{
			name: "incomplete metadata",
			file: "extra.rego",
			src:  "package acme\n\n# METADATA\n# title: T\n# custom:\n#   severity: urgent\ndeny contains x if {\n\tsome u in input.users\n\tx := u.id\n}\n",
			want: []string{
				"extra.rego:7: METADATA custom.finding_type_id is missing",
				"extra.rego:7: METADATA custom.category is missing",
				"extra.rego:7: METADATA custom.remediation is missing",
				`extra.rego:7: METADATA custom.severity: unknown severity "urgent"`,
			},
		},
		{
			name: "parse error",
			file: "broken.rego",
			src:  "package acme\n\ndeny contains x if {\n\tx := \n}\n",
			want: []string{"broken.rego:5: rego_parse_error"},
		},
		{
			name: "field the inventory does not have",
			file: "typo.rego",
			src:  "package acme\n\nbad contains u.id if {\n\tsome u in input.users\n\tu.last_login_at > 0\n}\n",
			want: []string{"typo.rego:5: rego_type_error", "last_login_at"},
		},
		{
			name: "conflicting finding type",
			file: "dup.rego",
			src: "package acme\n\n# METADATA\n# title: Other title\n# custom:\n#   finding_type_id: 20ab9ddb-fd48-46a8-9fdf-9bb9b9061f21\n#   severity: low\n#   category: X\n#   remediation: Y\n" +
				"deny contains x if {\n\tsome u in input.users\n\tx := u.id\n}\n",
			want: []string{"dup.rego:10: finding_type_id 20ab9ddb-fd48-46a8-9fdf-9bb9b9061f21 is also declared at", "access_security.rego:"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := exportTo(t)
			writeFile(t, dir, c.file, c.src)
			_, err := evaluator.New(context.Background(), evaluator.Options{PolicyDir: dir})
			require.Error(t, err)
			var pe *evaluator.PolicyError
			require.ErrorAs(t, err, &pe)
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Contains(t, err.Error(), dir, "paths are the user's, not internal ones")
		})
	}
}

func TestUnknownFindingTypeIsAnError(t *testing.T) {
	dir := exportTo(t)
	writeFile(t, dir, "stray.rego", `package acme

# METADATA
# title: T
# custom:
#   finding_type_id: declared
#   severity: low
#   category: C
#   remediation: R
deny contains {"finding_type_id": "undeclared", "resource": {"type": "user", "id": u.id}, "message": "m"} if {
	some u in input.users
}
`)
	e := newEngine(t, dir)
	_, err := evaluateErr(t, e, "acme.json", evaluator.EvalOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `finding_type_id "undeclared", which no deny rule's METADATA declares`)
}

func TestEmptyOrMissingPolicyDir(t *testing.T) {
	_, err := evaluator.New(context.Background(), evaluator.Options{PolicyDir: t.TempDir()})
	assert.ErrorContains(t, err, "no .rego files")
	_, err = evaluator.New(context.Background(), evaluator.Options{PolicyDir: filepath.Join(t.TempDir(), "nope")})
	assert.ErrorContains(t, err, "no such file or directory")
	dir := t.TempDir()
	writeFile(t, dir, "only.rego", "package acme\n\nx := 1\n")
	_, err = evaluator.New(context.Background(), evaluator.Options{PolicyDir: dir})
	assert.ErrorContains(t, err, "no deny rules")
}

func TestAFindingMayOverrideItsSeverity(t *testing.T) {
	dir := exportTo(t)
	writeFile(t, dir, "raise.rego", `package acme

import data.openai.lib

# METADATA
# title: Owner invites to outsiders
# custom:
#   finding_type_id: acme-raise
#   severity: high
#   category: C
#   remediation: R
deny contains object.union(lib.finding(rego.metadata.rule(), {"type": "invite", "id": i.id, "name": i.email}, "outsider"), {"severity": "critical"}) if {
	some i in input.invites
	endswith(i.email, "@partner.example")
}
`)
	findings := evaluate(t, newEngine(t, dir), "acme.json", evaluator.EvalOptions{})
	var raised []evaluator.Finding
	for _, f := range findings {
		if f.FindingTypeID == "acme-raise" {
			raised = append(raised, f)
		}
	}
	require.Len(t, raised, 1)
	assert.Equal(t, evaluator.SeverityCritical, raised[0].Severity)
	assert.Equal(t, evaluator.SeverityCritical, findings[0].Severity, "sorted among the critical findings")
}

func TestParseSeverity(t *testing.T) {
	for _, s := range []string{"critical", "HIGH", "Medium", "low"} {
		_, err := evaluator.ParseSeverity(s)
		assert.NoError(t, err, s)
	}
	_, err := evaluator.ParseSeverity("none")
	assert.Error(t, err)
}

func newEngine(t testing.TB, dir string) *evaluator.Engine {
	t.Helper()
	e, err := evaluator.New(context.Background(), evaluator.Options{PolicyDir: dir})
	require.NoError(t, err)
	return e
}

func evaluateErr(t testing.TB, e *evaluator.Engine, name string, opts evaluator.EvalOptions) ([]evaluator.Finding, error) {
	t.Helper()
	f, err := os.Open(filepath.Join(fixtures, name))
	require.NoError(t, err)
	defer f.Close()
	res, err := e.EvaluateReader(context.Background(), f, name, opts)
	if err != nil {
		return nil, err
	}
	return res.Findings, nil
}

func evaluate(t testing.TB, e *evaluator.Engine, name string, opts evaluator.EvalOptions) []evaluator.Finding {
	t.Helper()
	findings, err := evaluateErr(t, e, name, opts)
	require.NoError(t, err)
	return findings
}

// exportTo copies the built-in policies (without tests) into a temporary
// directory, as `policies export` would.
func exportTo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	err := fs.WalkDir(policies.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, "_test.rego") {
			return err
		}
		data, err := fs.ReadFile(policies.FS, p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, p), data, 0o644)
	})
	require.NoError(t, err)
	return dir
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
}

// dlp.json holds a collection with the credentials profile enabled for it:
// its three credential files fire, one per location; the card numbers do
// not (their profile is enabled nowhere), until the configuration enables
// it. Streamed and whole-document evaluation agree.
func TestDLPFindingsOfASavedInventory(t *testing.T) {
	e := newEngine(t, "")
	ids := func(fs []evaluator.Finding) []string {
		var out []string
		for _, f := range fs {
			if f.Category == "Data Loss Prevention" {
				out = append(out, f.FindingTypeID+" "+f.Resource.ID+" "+f.Key)
			}
		}
		sort.Strings(out)
		return out
	}
	want := []string{
		"520200f5-7dcc-42c9-bc3c-423019159d45 file-gpt-runbook credentials_and_secrets",
		"8e46ec69-e5c1-4f53-ab00-a92f2050ec33 file-proj-ci credentials_and_secrets",
		"9aca654d-b331-4052-a5b4-2ceecced8676 file-conv-env credentials_and_secrets",
	}
	assert.Equal(t, want, ids(evaluate(t, e, "dlp.json", evaluator.EvalOptions{})))
	assert.Equal(t, want, ids(evaluate(t, e, "dlp.json", evaluator.EvalOptions{Materialize: true})))

	dir := exportTo(t)
	cfg := filepath.Join(dir, "config.rego")
	raw, err := os.ReadFile(cfg)
	require.NoError(t, err)
	edited := strings.Replace(string(raw), `"title": "Financial Information",
		"enabled": false,`, `"title": "Financial Information",
		"enabled": true,`, 1)
	require.NotEqual(t, string(raw), edited)
	require.NoError(t, os.WriteFile(cfg, []byte(edited), 0o644))
	got := ids(evaluate(t, newEngine(t, dir), "dlp.json", evaluator.EvalOptions{}))
	more := append([]string{"8e46ec69-e5c1-4f53-ab00-a92f2050ec33 file-proj-cards financial_information"}, want...)
	sort.Strings(more)
	assert.Equal(t, more, got)
}
