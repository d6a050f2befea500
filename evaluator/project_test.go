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
		// A set of elements of one array deduplicates them as the
		// elements they come from do (the fingerprint): iterating it
		// yields the elements.
		{"a set of elements", `
owners contains u if {
	some u in input.users
	u.role == "owner"
}
deny contains x if {
	some u in owners
	x := u.id
}`, projection{"users": {"role": true, "id": true}, "gpts": {}}},
		{"a set comprehension of elements", `
owners := {u | some u in input.users; u.role == "owner"}
deny contains x if {
	some u in owners
	x := u.id
}`, projection{"users": {"role": true, "id": true}, "gpts": {}}},
		{"an object of lists of elements", `
by_email := {e: us |
	some u in input.users
	e := lower(u.email)
	us := [x | some x in input.users; lower(x.email) == e]
}
deny contains x if {
	some g in input.gpts
	some u in by_email[g.owner_email]
	x := u.id
}`, projection{"users": {"email": true, "id": true}, "gpts": {"owner_email": true}}},
		{"an object of lists of elements, iterated with its keys", `
by_email := {e: us |
	some u in input.users
	e := u.email
	us := [x | some x in input.users; x.email == e]
}
deny contains x if {
	some e, us in by_email
	us[_].role == "owner"
	x := e
}`, projection{"users": {"email": true, "role": true}, "gpts": {}}},
		{"an object of sets of elements", `
by_email := {e: us |
	some u in input.users
	e := u.email
	us := {x | some x in input.users; x.email == e}
}
deny contains x if {
	some g in input.gpts
	some u in by_email[g.owner_email]
	x := u.name
}`, projection{"users": {"email": true, "name": true}, "gpts": {"owner_email": true}}},
		{"a list of elements through object.get and array.concat", `
by_email := {e: us |
	some u in input.users
	e := u.email
	us := [x | some x in input.users; x.email == e]
}
first(e) := array.concat([u | some u in by_email[e]; u.active], object.get(by_email, "root@example.com", []))[0]
deny contains x if {
	some g in input.gpts
	x := first(g.owner_email).name
}`, projection{"users": {"email": true, "active": true, "name": true}, "gpts": {"owner_email": true}}},
		// Whole again: what observes such an element, or its set, as a
		// value.
		{"a count of an element of a list of elements", `
by_email := {e: us |
	some u in input.users
	e := u.email
	us := [x | some x in input.users; x.email == e]
}
deny contains x if {
	some e, _ in by_email
	count(by_email[e][0]) > 3
	x := e
}`, projection{"gpts": {}}},
		{"an element of a list of elements compared with a literal", `
by_email := {e: us |
	some u in input.users
	e := u.email
	us := [x | some x in input.users; x.email == e]
}
deny contains x if {
	some e, _ in by_email
	by_email[e][0] == {"id": "u1", "email": e}
	x := e
}`, projection{"gpts": {}}},
		{"an element of a list of elements in a finding", `
by_email := {e: us |
	some u in input.users
	e := u.email
	us := [x | some x in input.users; x.email == e]
}
deny contains x if {
	some g in input.gpts
	some u in by_email[g.owner_email]
	x := {"id": g.id, "evidence": {"owner": u}}
}`, projection{"gpts": {"owner_email": true, "id": true}}},
		{"an element of a set of elements in a finding", `
owners contains u if {
	some u in input.users
	u.role == "owner"
}
deny contains x if {
	some u in owners
	x := {"evidence": u}
}`, projection{"gpts": {}}},
		{"a set of elements passed to a built-in", `
owners contains u if {
	some u in input.users
	u.role == "owner"
}
deny contains x if {
	x := json.marshal(owners)
}`, projection{"gpts": {}}},
		{"a set of elements compared with a set of literals", `
owners := {u | some u in input.users; u.role == "owner"}
deny contains x if {
	owners == {{"id": "u1", "role": "owner"}}
	x := "one"
}`, projection{"gpts": {}}},
		{"a set of elements counted", `
owners contains u if {
	some u in input.users
	u.role == "owner"
}
deny contains x if {
	x := count(owners)
}`, projection{"gpts": {}}},
		{"a set of elements in an array, whose order is the kept values'", `
owners contains u if {
	some u in input.users
	u.role == "owner"
}
deny contains x if {
	x := [u.id | some u in owners][0]
}`, projection{"gpts": {}}},
		{"a set of elements of two arrays", `
owned contains u if some u in input.users
owned contains g if some g in input.gpts
deny contains x if {
	some v in owned
	x := v.id
}`, projection{}},
		{"a set of elements and a literal", `
owners contains u if some u in input.users
owners contains {"id": "root"}
deny contains x if {
	some v in owners
	x := v.id
}`, projection{"gpts": {}}},
		{"an object of lists of elements of two arrays", `
by_id := {k: vs |
	some k in {"a", "b"}
	vs := array.concat([u | some u in input.users], [g | some g in input.gpts])
}
deny contains x if {
	some v in by_id.a
	x := v.id
}`, projection{}},
		{"a list of lists of lists of elements", `
deep := {e: [[u] | some u in input.users; u.email == e] | some e in {"a", "b"}}
deny contains x if {
	x := deep.a[_][_].id
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
}`, projection{"users": {"id": true, "email": true}, "gpts": {"owner_id": true}}},
		{"a partial object of elements, by a constant key", `
by_id[u.id] := u if some u in input.users
deny contains x if {
	x := by_id["u1"].email
}`, projection{"users": {"id": true, "email": true}, "gpts": {}}},
		{"a partial object of lists of elements", `
by_email[e] := us if {
	some u in input.users
	e := u.email
	us := [x | some x in input.users; x.email == e]
}
deny contains x if {
	some g in input.gpts
	some u in by_email[g.owner_email]
	x := u.name
}`, projection{"users": {"email": true, "name": true}, "gpts": {"owner_email": true}}},
		{"a partial object of elements and a literal", `
by_id[u.id] := u if some u in input.users
by_id["root"] := {"id": "root", "email": "root@example.com"}
deny contains x if {
	some g in input.gpts
	x := by_id[g.owner_id].email
}`, projection{"gpts": {"owner_id": true}}},
		{"a partial object of elements of two arrays", `
by_id[u.id] := u if some u in input.users
by_id[g.id] := g if some g in input.gpts
deny contains x if {
	some g in input.gpts
	x := by_id[g.owner_id].name
}`, projection{}},
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
