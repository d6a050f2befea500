package evaluator

import (
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What a package that joins reads of each array's elements, from its
// compiled rules: the members it names, or the whole elements (absent)
// when an element goes anywhere the analysis does not follow.
func TestProjectionKeepsWhatRulesRead(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want projection // for users and gpts; absent means whole elements
	}{
		{"members and object.get", `
deny contains x if {
	some u in input.users
	u.role == "owner"
	x := {"id": u.id, "e": object.get(u, "email", null)}
}`, projection{"users": {"role": true, "id": true, "email": true}, "gpts": {}}},
		{"through an object of elements and a function", `
by_id := {u.id: u | some u in input.users}
barred(u) := "banned" if object.get(u, "banned", false) == true
else := "disabled" if u.enabled == false
deny contains x if {
	some g in input.gpts
	x := barred(by_id[g.owner_id])
}`, projection{"users": {"id": true, "banned": true, "enabled": true}, "gpts": {"owner_id": true}}},
		{"a function that returns an element", `
owner(g) := u if {
	some u in input.users
	u.id == g.owner_id
}
deny contains x if {
	some g in input.gpts
	x := owner(g).name
}`, projection{"users": {"id": true, "name": true}, "gpts": {"owner_id": true}}},
		{"existence of an element", `
by_id := {u.id: u | some u in input.users}
deny contains x if {
	some g in input.gpts
	not by_id[g.owner_id]
	x := g.id
}`, projection{"users": {"id": true}, "gpts": {"owner_id": true, "id": true}}},
		{"an element in a finding", `
deny contains x if {
	some u in input.users
	x := {"user": u}
}`, projection{"gpts": {}}},
		{"an element passed to a built-in", `
deny contains x if {
	some u in input.users
	x := json.marshal(u)
}`, projection{"gpts": {}}},
		{"a count of the array", `
deny contains x if {
	x := count(input.users)
}`, projection{"gpts": {}}},
		{"a set of elements", `
owners contains u if {
	some u in input.users
	u.role == "owner"
}
deny contains x if {
	some u in owners
	x := u.id
}`, projection{"gpts": {}}},
		{"elements compared", `
deny contains x if {
	some u in input.users
	some v in input.users
	u == v
	x := u.id
}`, projection{"gpts": {}}},
		{"an element's members iterated", `
deny contains x if {
	some u in input.users
	some k, _ in u
	x := k
}`, projection{"gpts": {}}},
		{"a member named by a variable", `
deny contains x if {
	some u in input.users
	some k in ["id", "email"]
	x := u[k]
}`, projection{"gpts": {}}},
		{"a partial object of elements", `
by_id[u.id] := u if some u in input.users
deny contains x if {
	some g in input.gpts
	x := by_id[g.owner_id].email
}`, projection{"gpts": {"owner_id": true}}},
		{"a partial object of elements, by a constant key", `
by_id[u.id] := u if some u in input.users
deny contains x if {
	x := by_id["u1"].email
}`, projection{"gpts": {}}},
		{"input as a whole", `
deny contains x if {
	x := count(input)
}`, projection{}},
		{"with", `
f := input.users[0].id
deny contains x if {
	x := f with input as {}
}`, projection{}},
		{"the fingerprint's own name", `
deny contains x if {
	some u in input.users
	x := object.get(u, "\u0000casb:dropped", null)
}`, projection{"gpts": {}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ast.NewCompiler()
			c.Compile(map[string]*ast.Module{"p.rego": ast.MustParseModule("package p\n" + tc.body)})
			require.False(t, c.Failed(), "%v", c.Errors)
			got := projectionFor(c, []string{"users", "gpts"}, []string{"p"})
			assert.Equal(t, tc.want, got)
		})
	}
}

// A kept element holds the members named, and compares with another as
// the elements they come from do.
func TestProjectKeepsMembersAndEquality(t *testing.T) {
	proj := projection{"users": {"id": true, "role": true}}
	user := func(s string) *ast.Term { return ast.MustParseTerm(s) }
	a := proj.project("users", user(`{"id": "u1", "role": "owner", "name": "Ada", "signals": {"a": 1, "b": 2}}`))
	b := proj.project("users", user(`{"name": "Ada", "signals": {"b": 2, "a": 1}, "role": "owner", "id": "u1"}`))
	c := proj.project("users", user(`{"id": "u1", "role": "owner", "name": "Ada", "signals": {"a": 2, "b": 1}}`))
	obj := a.Value.(ast.Object)
	assert.True(t, ast.StringTerm("u1").Equal(obj.Get(ast.StringTerm("id"))))
	assert.True(t, ast.StringTerm("owner").Equal(obj.Get(ast.StringTerm("role"))))
	assert.Nil(t, obj.Get(ast.StringTerm("name")))
	assert.True(t, a.Equal(b), "the same element, members in another order")
	assert.False(t, a.Equal(c), "elements that differ in a member left out")

	other := user(`{"id": "g1"}`)
	assert.Same(t, other, proj.project("gpts", other), "an array the projection does not name")
}
