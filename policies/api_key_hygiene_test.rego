package openai.api_key_hygiene_test

import data.openai.api_key_hygiene.deny
import data.openai.config
import data.openai.testdata_test as td

# Every age below is measured from the thresholds of config.rego, so the
# tests pass whatever values a user gives them there.
rotation := config.admin_key_rotation_days

project_rotation := config.project_key_rotation_days

never_used := config.admin_key_never_used_days

idle := config.admin_key_idle_days

project_never_used := config.project_key_never_used_days

project_idle := config.project_key_idle_days

ago(days) := td.now - (days * td.day)

admin_not_rotated := "b72e971d-f5b9-4cf3-96f4-ef82bdf38453"

project_not_rotated := "2c079fe8-6188-43e1-a2e5-d0e2dd8c7686"

admin_unused := "49c75a36-1e64-437b-98a1-e54ec35d0a64"

project_unused := "c8fd231b-de51-43cc-8c3f-e1e57114c5f5"

admin(overrides) := td.inventory({"admin_api_keys": [td.admin_key(overrides)]})

proj_key(project_overrides, key_overrides) := td.inventory({"projects": [td.project(object.union(
	project_overrides,
	{"api_keys": [td.project_key(key_overrides)]},
))]})

# --- Admin API key not rotated -------------------------------------------

test_admin_key_not_rotated_fires if {
	findings := deny with input as admin({"created_at": ago(rotation + 110)})
	td.ids(findings, admin_not_rotated) == {"key_admin"}
	some f in findings
	f.finding_type_id == admin_not_rotated
	f.severity == "high"
	f.resource == {"type": "admin_api_key", "id": "key_admin", "name": "ci-admin"}
	contains(f.message, sprintf("%d days ago", [rotation + 110]))
}

test_young_admin_key_does_not_fire if {
	findings := deny with input as admin({"created_at": ago(rotation), "last_used_at": td.now - 1})
	count(findings) == 0
}

test_admin_key_rotation_boundary if {
	exactly := deny with input as admin({"created_at": ago(rotation)})
	td.ids(exactly, admin_not_rotated) == set()
	over := deny with input as admin({"created_at": ago(rotation) - 1})
	td.ids(over, admin_not_rotated) == {"key_admin"}
}

test_admin_key_rotation_threshold_is_config if {
	findings := deny with input as admin({"created_at": td.now - (31 * td.day)})
		with data.openai.config.admin_key_rotation_days as 30
	td.ids(findings, admin_not_rotated) == {"key_admin"}
}

# --- Project API key not rotated -----------------------------------------

test_project_key_not_rotated_fires if {
	findings := deny with input as proj_key({}, {"created_at": ago(project_rotation + 30)})
	td.ids(findings, project_not_rotated) == {"key_proj"}
	some f in findings
	f.finding_type_id == project_not_rotated
	f.evidence.project_id == "proj_a"
	f.resource.type == "project_api_key"
}

test_young_project_key_does_not_fire if {
	findings := deny with input as proj_key({}, {"created_at": ago(project_rotation), "last_used_at": td.now - 1})
	count(findings) == 0
}

test_archived_project_key_does_not_fire if {
	findings := deny with input as proj_key(
		{"status": "archived", "archived_at": td.now - td.day},
		{"created_at": td.now - (300 * td.day), "last_used_at": null},
	)
	count(findings) == 0
}

test_project_key_rotation_boundary if {
	exactly := deny with input as proj_key({}, {"created_at": ago(project_rotation)})
	td.ids(exactly, project_not_rotated) == set()
	over := deny with input as proj_key({}, {"created_at": ago(project_rotation) - 1})
	td.ids(over, project_not_rotated) == {"key_proj"}
}

# An admin key past its expires_at no longer works: neither rotated nor
# unused. The spec's own example is such a key.
test_expired_admin_key_does_not_fire if {
	old_unused := {"created_at": ago((rotation + never_used) + 400), "last_used_at": null}
	findings := deny with input as admin(object.union(old_unused, {"expires_at": td.now - td.day}))
	td.ids(findings, admin_not_rotated) == set()
	td.ids(findings, admin_unused) == set()
}

test_admin_key_expiry_boundary if {
	old_unused := {"created_at": ago((rotation + never_used) + 400), "last_used_at": null}
	at_now := deny with input as admin(object.union(old_unused, {"expires_at": td.now}))
	td.ids(at_now, admin_not_rotated) == {"key_admin"}
	td.ids(at_now, admin_unused) == {"key_admin"}
	past := deny with input as admin(object.union(old_unused, {"expires_at": td.now - 1}))
	td.ids(past, admin_not_rotated) == set()
	future := deny with input as admin(object.union(old_unused, {"expires_at": td.now + (30 * td.day)}))
	td.ids(future, admin_not_rotated) == {"key_admin"}
	td.ids(future, admin_unused) == {"key_admin"}
}

# --- Unused admin API key -------------------------------------------------

test_never_used_admin_key_fires if {
	findings := deny with input as admin({"created_at": ago(never_used + 15), "last_used_at": null})
	td.ids(findings, admin_unused) == {"key_admin"}
	some f in findings
	f.finding_type_id == admin_unused
	f.severity == "medium"
	contains(f.message, "never been used")
}

test_idle_admin_key_fires if {
	findings := deny with input as admin({"created_at": ago(idle + 30), "last_used_at": ago(idle + 1)})
	td.ids(findings, admin_unused) == {"key_admin"}
}

test_used_admin_key_does_not_fire if {
	findings := deny with input as admin({"last_used_at": ago(idle)})
	td.ids(findings, admin_unused) == set()
}

test_new_never_used_admin_key_does_not_fire if {
	findings := deny with input as admin({"created_at": ago(never_used) + 1, "last_used_at": null})
	td.ids(findings, admin_unused) == set()
}

test_unused_admin_key_boundaries if {
	never_exactly := deny with input as admin({"created_at": ago(never_used), "last_used_at": null})
	td.ids(never_exactly, admin_unused) == set()
	never_over := deny with input as admin({"created_at": ago(never_used) - 1, "last_used_at": null})
	td.ids(never_over, admin_unused) == {"key_admin"}
	idle_exactly := deny with input as admin({"created_at": ago(idle + 10), "last_used_at": ago(idle)})
	td.ids(idle_exactly, admin_unused) == set()
	idle_over := deny with input as admin({"created_at": ago(idle + 10), "last_used_at": ago(idle) - 1})
	td.ids(idle_over, admin_unused) == {"key_admin"}
}

# --- Unused project API key -----------------------------------------------

test_never_used_project_key_fires if {
	findings := deny with input as proj_key({}, {"created_at": ago(project_never_used + 1), "last_used_at": null})
	td.ids(findings, project_unused) == {"key_proj"}
}

test_idle_project_key_fires if {
	findings := deny with input as proj_key({}, {"created_at": ago(project_idle + 30), "last_used_at": ago(project_idle + 10)})
	td.ids(findings, project_unused) == {"key_proj"}
	some f in findings
	f.finding_type_id == project_unused
	contains(f.message, sprintf("last used %d days ago", [project_idle + 10]))
}

test_used_project_key_does_not_fire if {
	findings := deny with input as proj_key({}, {"last_used_at": ago(project_idle)})
	td.ids(findings, project_unused) == set()
}

test_unused_project_key_boundaries if {
	never_exactly := deny with input as proj_key({}, {"created_at": ago(project_never_used), "last_used_at": null})
	td.ids(never_exactly, project_unused) == set()
	never_over := deny with input as proj_key({}, {"created_at": ago(project_never_used) - 1, "last_used_at": null})
	td.ids(never_over, project_unused) == {"key_proj"}
	idle_exactly := deny with input as proj_key({}, {"created_at": ago(project_idle + 10), "last_used_at": ago(project_idle)})
	td.ids(idle_exactly, project_unused) == set()
	idle_over := deny with input as proj_key({}, {"created_at": ago(project_idle + 10), "last_used_at": ago(project_idle) - 1})
	td.ids(idle_over, project_unused) == {"key_proj"}
}

test_archived_project_unused_key_does_not_fire if {
	findings := deny with input as proj_key({"status": "archived"}, {"created_at": td.now - (60 * td.day), "last_used_at": null})
	count(findings) == 0
}

# --- Keys the API sent without created_at (kept as null) -------------------

# A key whose age is unknown is not "not rotated" nor "never used since it
# was created"; its last use still counts.
test_admin_key_null_created_at_does_not_fire if {
	findings := deny with input as admin({"created_at": null, "last_used_at": null})
	td.ids(findings, admin_not_rotated) == set()
	td.ids(findings, admin_unused) == set()
}

test_admin_key_null_created_at_idle_fires if {
	findings := deny with input as admin({"created_at": null, "last_used_at": ago(idle + 5)})
	td.ids(findings, admin_unused) == {"key_admin"}
	td.ids(findings, admin_not_rotated) == set()
}

test_project_key_null_created_at_does_not_fire if {
	findings := deny with input as proj_key({}, {"created_at": null, "last_used_at": null})
	td.ids(findings, project_not_rotated) == set()
	td.ids(findings, project_unused) == set()
}

test_project_key_null_created_at_idle_fires if {
	findings := deny with input as proj_key({}, {"created_at": null, "last_used_at": ago(project_idle + 5)})
	td.ids(findings, project_unused) == {td.project_key({}).id}
	td.ids(findings, project_not_rotated) == set()
}
