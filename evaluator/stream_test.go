package evaluator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/samber/lo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

// The built-in packages stream, but for those whose checks join arrays
// (an API key and its owner's account): they keep the arrays they read, and
// never need the whole inventory.
func TestBuiltInPoliciesStream(t *testing.T) {
	e := newEngine(t, "")
	user, why := e.UserJoins()
	assert.False(t, user, why)
	joins := map[string]bool{"openai.credentials": true, "openai.identity": true, "openai.tools_agents": true, "openai.operations": true, "openai.data_governance": true}
	for _, pkg := range []string{"openai.access_security", "openai.api_key_hygiene", "openai.dlp", "openai.model_tool_governance", "openai.publishing_sharing", "openai.credentials", "openai.identity", "openai.tools_agents", "openai.operations", "openai.data_governance"} {
		ok, why := e.PackageStreaming(pkg)
		assert.Equal(t, !joins[pkg], ok, "%s: %s", pkg, why)
	}
}

func TestChunkSafety(t *testing.T) {
	const pkg = "package acme\n\nimport data.openai.lib\n\n"
	const meta = "# METADATA\n# title: T\n# custom:\n#   finding_type_id: acme-x\n#   severity: low\n#   category: C\n#   remediation: R\n"
	cases := []struct {
		name, body string
		safe       bool
		why        string
	}{
		{"one array, one element at a time", `deny contains u.id if { some u in input.users; u.role == "owner" }`, true, ""},
		{"nested iteration of one element", `deny contains k.id if { some p in input.projects; some k in p.api_keys }`, true, ""},
		{"small members only", `deny contains "x" if { input.organization.id != ""; input.collected_at > 0 }`, true, ""},
		{"helpers that read small members", `deny contains u.id if { some u in input.users; u.added_at < lib.now }`, true, ""},
		{"counting an array", `deny contains "many" if { count(input.users) > 10 }`, false, "reads input.users other than by iterating"},
		{"a comprehension over an array", `deny contains x if { some u in input.users; x := [v | some v in input.invites] }`, false, "reads input.invites other than by iterating"},
		{"a join of two arrays", `deny contains u.id if { some u in input.users; some i in input.invites; i.email == u.email }`, false, "more than one resource array"},
		{"a self-join", `deny contains a.id if { some a in input.users; some b in input.users; a.email == b.email; a.id != b.id }`, false, "more than one resource array"},
		{"an index used", `deny contains i if { some i, u in input.users; u.role == "owner" }`, false, "position of elements"},
		{"a dependency that reads an array", "owners contains u.id if { some u in input.users; u.role == \"owner\" }\n\n" + meta + `deny contains g.id if { some g in input.gpts; g.owner_id in owners }`, false, "depends on data.acme.owners"},
		{"input as a whole", `deny contains "x" if { x := input; x.collected_at > 0 }`, false, "reads input as a whole"},
		{"with", `deny contains "x" if { some u in input.users; lib.now == 1 with input.collected_at as 1 }`, false, "uses `with`"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := exportTo(t)
			src := pkg + meta + c.body + "\n"
			if c.name == "a dependency that reads an array" {
				src = pkg + c.body + "\n"
			}
			writeFile(t, dir, "acme.rego", src)
			e, err := evaluator.New(context.Background(), evaluator.Options{PolicyDir: dir})
			require.NoError(t, err)
			ok, why := e.PackageStreaming("acme")
			assert.Equal(t, c.safe, ok, why)
			if !c.safe {
				assert.Contains(t, why, c.why)
				assert.Contains(t, why, "acme.rego:")
			}
		})
	}
}

// generated is a mid-sized organization with planted resources of every
// finding type.
func generated(t testing.TB, users int) []byte {
	t.Helper()
	raw, err := inventory.Marshal(simulator.Generate(simulator.GenerateOptions{Users: users, Seed: 77, Plant: true}))
	require.NoError(t, err)
	return raw
}

func run(t testing.TB, e *evaluator.Engine, raw []byte, opts evaluator.EvalOptions) []evaluator.Finding {
	t.Helper()
	res, err := e.EvaluateReader(context.Background(), bytes.NewReader(raw), "gen.json", opts)
	require.NoError(t, err)
	return res.Findings
}

// Streaming, in parallel, over chunks of any size, gives exactly the
// findings of one single-threaded evaluation of the whole inventory.
func TestStreamingMatchesTheSingleThreadedResult(t *testing.T) {
	raw := generated(t, 6000)
	e := newEngine(t, "")
	want := run(t, e, raw, evaluator.EvalOptions{Materialize: true, Workers: 1})
	require.Greater(t, len(want), 1000)
	for _, o := range []evaluator.EvalOptions{
		{Workers: 1},
		{Workers: 2},
		{Workers: 4, ChunkBytes: 4096},
		{Workers: 3, ChunkBytes: 1},
	} {
		t.Run(fmt.Sprintf("workers=%d chunk=%d", o.Workers, o.ChunkBytes), func(t *testing.T) {
			assert.Equal(t, want, run(t, e, raw, o))
		})
	}
}

// A rule that reads no resource array gives its finding over every chunk;
// the result has it once, as one evaluation's set would.
func TestConstantRulesAreNotRepeated(t *testing.T) {
	dir := exportTo(t)
	writeFile(t, dir, "org.rego", `package acme

import data.openai.lib

# METADATA
# title: Organization evaluated
# custom:
#   finding_type_id: acme-org
#   severity: low
#   category: C
#   remediation: R
deny contains lib.finding(rego.metadata.rule(), {"type": "organization", "id": input.organization.id, "name": null}, "evaluated") if {
	input.collected_at > 0
}
`)
	e := newEngine(t, dir)
	ok, why := e.PackageStreaming("acme")
	require.True(t, ok, why)
	raw := generated(t, 3000)
	got := run(t, e, raw, evaluator.EvalOptions{Workers: 2, ChunkBytes: 8192})
	n := 0
	for _, f := range got {
		if f.FindingTypeID == "acme-org" {
			n++
		}
	}
	assert.Equal(t, 1, n)
	assert.Equal(t, run(t, e, raw, evaluator.EvalOptions{Materialize: true, Workers: 1}), got)
}

// Policies that join arrays are evaluated on the whole inventory at once,
// and still in parallel across packages.
func TestPoliciesThatJoinAreMaterialized(t *testing.T) {
	dir := exportTo(t)
	writeFile(t, dir, "join.rego", `package acme

import data.openai.lib

users_by_email[u.email] := u if some u in input.users

# METADATA
# title: Invite for an existing member
# custom:
#   finding_type_id: acme-join
#   severity: low
#   category: C
#   remediation: R
deny contains lib.finding(rego.metadata.rule(), {"type": "invite", "id": i.id, "name": i.email}, "already a member") if {
	some i in input.invites
	users_by_email[i.email]
}
`)
	e := newEngine(t, dir)
	ok, why := e.PackageStreaming("acme")
	require.False(t, ok)
	assert.Contains(t, why, "join.rego:")
	user, why := e.UserJoins()
	assert.True(t, user)
	assert.Contains(t, why, "join.rego:")
	inv := simulator.Generate(simulator.GenerateOptions{Users: 500, Seed: 3})
	inv.Invites[0].Email = *inv.Users[7].Email
	raw, err := inventory.Marshal(inv)
	require.NoError(t, err)
	got := run(t, e, raw, evaluator.EvalOptions{Workers: 2})
	var joined []string
	for _, f := range got {
		if f.FindingTypeID == "acme-join" {
			joined = append(joined, f.Resource.ID)
		}
	}
	assert.Equal(t, []string{inv.Invites[0].ID}, joined)
	assert.Equal(t, run(t, e, raw, evaluator.EvalOptions{Workers: 1}), got)
}

// A joining package that reads a member of an element looked up in a
// partial object by a constant key finds what the whole document gives:
// the stream keeps that member (before the analyses were one, it kept a
// member named by the key instead, and the finding was lost).
func TestJoinsByConstantKeyKeepTheMemberRead(t *testing.T) {
	inv := simulator.Generate(simulator.GenerateOptions{Users: 300, Seed: 3})
	g := inv.GPTs[0]
	dir := exportTo(t)
	writeFile(t, dir, "join.rego", fmt.Sprintf(`package acme

import data.openai.lib

gpts_by_id[g.id] := g if some g in input.gpts

# METADATA
# title: GPT zero's visibility
# custom:
#   finding_type_id: acme-zero
#   severity: low
#   category: C
#   remediation: R
deny contains lib.finding(rego.metadata.rule(), {"type": "gpt", "id": %[1]q, "name": null}, "visibility") if {
	gpts_by_id[%[1]q].visibility == %[2]q
}
`, g.ID, g.Visibility))
	e := newEngine(t, dir)
	ok, _ := e.PackageStreaming("acme")
	require.False(t, ok)
	raw, err := inventory.Marshal(inv)
	require.NoError(t, err)
	got := run(t, e, raw, evaluator.EvalOptions{Workers: 2})
	var zero []string
	for _, f := range got {
		if f.FindingTypeID == "acme-zero" {
			zero = append(zero, f.Resource.ID)
		}
	}
	assert.Equal(t, []string{g.ID}, zero)
	assert.Equal(t, run(t, e, raw, evaluator.EvalOptions{Materialize: true, Workers: 1}), got)
}

func TestInvalidInventoryGivesNoFindings(t *testing.T) {
	inv := simulator.Generate(simulator.GenerateOptions{Users: 2000, Seed: 3})
	raw, err := inventory.Marshal(inv)
	require.NoError(t, err)
	bad := bytes.Replace(raw, []byte(`"role":"reader"`), []byte(`"role":7`), 3)
	_, err = newEngine(t, "").EvaluateReader(context.Background(), bytes.NewReader(bad), "bad.json", evaluator.EvalOptions{Workers: 2, ChunkBytes: 4096})
	var ve *inventory.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, 3, ve.Total)
}

// A header member that is valid JSON Schema but that the Go types cannot
// hold (an integer written 3.0) is an error naming the member, not a
// silently empty header.
func TestHeaderMembersTheTypesCannotHold(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(fixtures, "acme.json"))
	require.NoError(t, err)
	doc := strings.Replace(string(raw), `"items": 5,`, `"items": 5.0,`, 1)
	require.NotEqual(t, string(raw), doc)
	e := newEngine(t, "")
	for _, o := range []evaluator.EvalOptions{{}, {Materialize: true}} {
		_, err := e.EvaluateReader(context.Background(), strings.NewReader(doc), "acme.json", o)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "read acme.json: /sources: ")
	}
}

// A joining package that reads elements through an object of lists of
// them, or through a set of them, finds what the whole document gives: the
// stream keeps the members read through them (a user's added_at, through
// by_email's lists), and keeps elements whole where their set's order
// shows (the first owner's id, from an array built by iterating the set)
// or an element is counted. Each policy is alone in its engine, so that
// what keeps one whole does not cover for another.
func TestJoinsThroughCollectionsOfElementsAgree(t *testing.T) {
	const helpers = `package acme

import data.openai.lib

by_email := {e: us |
	some u in input.users
	is_string(u.email)
	e := lower(u.email)
	us := [x | some x in input.users; is_string(x.email); lower(x.email) == e]
}

owners contains u if {
	some u in input.users
	u.role == "owner"
}

by_role[r] := us if {
	some u in input.users
	r := u.role
	us := [x | some x in input.users; x.role == r]
}

# METADATA
# title: T
# custom:
#   finding_type_id: acme-x
#   severity: low
#   category: C
#   remediation: R
`
	raw := generated(t, 3000)
	for _, c := range []struct{ name, rule string }{
		{"a member through an object of lists", `deny contains lib.finding(rego.metadata.rule(), {"type": "gpt", "id": g.id, "name": null}, sprintf("owner added at %d", [u.added_at])) if {
	some g in input.gpts
	is_string(g.owner_email)
	some u in by_email[lower(g.owner_email)]
	is_number(u.added_at)
}`},
		{"a member through a partial object of lists", `deny contains lib.finding(rego.metadata.rule(), {"type": "user", "id": u.id, "name": null}, sprintf("added at %d", [u.added_at])) if {
	some u in by_role.owner
	is_number(u.added_at)
}`},
		{"members through a set", `deny contains lib.finding(rego.metadata.rule(), {"type": "user", "id": u.id, "name": u.email}, "an owner") if {
	some u in owners
}`},
		{"a set's order in an array", `deny contains lib.finding(rego.metadata.rule(), {"type": "user", "id": first, "name": null}, "the first owner") if {
	first := [u.id | some u in owners][0]
}`},
		{"an element of a set counted", `deny contains lib.finding(rego.metadata.rule(), {"type": "user", "id": u.id, "name": null}, sprintf("%d members", [count(u)])) if {
	some u in owners
}`},
		{"an element of a list counted", `deny contains lib.finding(rego.metadata.rule(), {"type": "user", "id": e, "name": null}, sprintf("%d members", [count(by_email[e][0])])) if {
	some e, _ in by_email
}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := exportTo(t)
			writeFile(t, dir, "join.rego", helpers+c.rule+"\n")
			e := newEngine(t, dir)
			ok, _ := e.PackageStreaming("acme")
			require.False(t, ok)
			want := run(t, e, raw, evaluator.EvalOptions{Materialize: true, Workers: 1})
			require.NotEmpty(t, lo.Filter(want, func(f evaluator.Finding, _ int) bool { return f.FindingTypeID == "acme-x" }))
			assert.Equal(t, want, run(t, e, raw, evaluator.EvalOptions{Workers: 2, ChunkBytes: 8192}))
		})
	}
}

// A partial object whose values are elements and a literal equal to one of
// them holds one value under that key in the whole document; kept, the
// element would differ from the literal (its fingerprint) and the key
// conflict: such an object's elements are kept whole.
func TestElementsBesideAnEqualLiteralAgree(t *testing.T) {
	inv := simulator.Generate(simulator.GenerateOptions{Users: 300, Seed: 3})
	raw, err := inventory.Marshal(inv)
	require.NoError(t, err)
	var doc struct {
		Users []json.RawMessage `json:"users"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	dir := exportTo(t)
	writeFile(t, dir, "join.rego", fmt.Sprintf(`package acme

import data.openai.lib

by_id[u.id] := u if some u in input.users

by_id[%[1]q] := %[2]s

# METADATA
# title: T
# custom:
#   finding_type_id: acme-x
#   severity: low
#   category: C
#   remediation: R
deny contains lib.finding(rego.metadata.rule(), {"type": "user", "id": u.id, "name": null}, "the first user") if {
	u := by_id[%[1]q]
}
`, inv.Users[0].ID, doc.Users[0]))
	e := newEngine(t, dir)
	want := run(t, e, raw, evaluator.EvalOptions{Materialize: true, Workers: 1})
	require.NotEmpty(t, lo.Filter(want, func(f evaluator.Finding, _ int) bool { return f.FindingTypeID == "acme-x" }))
	assert.Equal(t, want, run(t, e, raw, evaluator.EvalOptions{Workers: 2, ChunkBytes: 8192}))
}
