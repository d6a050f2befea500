package openai.credentials_test

import data.openai.credentials.deny
import data.openai.testdata_test as td

lost_access := "ce44dd6a-8298-4f4c-acf5-f660cfe4cec7"

owner_gone := "346872ed-a583-44bd-9450-c0d64df345db"

barred_owner := "9e473a30-fe4e-49dc-9407-1e8e5fa5aa02"

no_expiry := "f75e05e4-cb53-46da-9ab0-42c91cc7fc6b"

gpt_secret := "dde6eb03-a01e-4aac-8cde-d9999d90a03e"

complete := {"status": "complete", "items": 1, "pages": 1}

with_project_key(overrides) := td.inventory({"projects": [td.project({"api_keys": [td.project_key(overrides)]})]})

owner_alice := {"type": "user", "id": "user-a", "name": "Alice", "role": "owner"}

# An admin key that expires within the lifetime, so only the finding under
# test can fire.
admin_key(overrides) := td.admin_key(object.union({"owner": owner_alice, "expires_at": td.now + (30 * td.day)}, overrides))

with_admin_key(key_overrides, users) := td.inventory({
	"sources": {"users": complete},
	"admin_api_keys": [admin_key(key_overrides)],
	"users": users,
})

# --- Project key whose owner lost project access ---------------------------

test_inactive_owner_fires if {
	findings := deny with input as with_project_key({"owner_project_access": "inactive"})
	td.ids(findings, lost_access) == {"key_proj"}
	some f in findings
	f.severity == "high"
	contains(f.message, "a@example.com")
}

test_active_owner_does_not_fire if {
	findings := deny with input as with_project_key({})
	td.ids(findings, lost_access) == set()
}

test_unknown_access_does_not_fire if {
	findings := deny with input as with_project_key({"owner_project_access": null})
	td.ids(findings, lost_access) == set()
}

test_inactive_owner_of_archived_project_does_not_fire if {
	inv := td.inventory({"projects": [td.project({"status": "archived", "api_keys": [td.project_key({"owner_project_access": "inactive"})]})]})
	findings := deny with input as inv
	td.ids(findings, lost_access) == set()
}

# --- Admin key whose owner is no longer an owner -------------------------

test_admin_key_of_departed_user_fires if {
	findings := deny with input as with_admin_key({}, [td.user({"id": "user-b"})])
	td.ids(findings, owner_gone) == {"key_admin"}
	some f in findings
	f.finding_type_id == owner_gone
	contains(f.message, "no longer a member")
}

test_admin_key_of_demoted_user_fires if {
	findings := deny with input as with_admin_key({}, [td.user({"role": "reader"})])
	td.ids(findings, owner_gone) == {"key_admin"}
	some f in findings
	f.finding_type_id == owner_gone
	contains(f.message, "no longer an organization owner")
}

test_admin_key_of_current_owner_does_not_fire if {
	findings := deny with input as with_admin_key({}, [td.user({"role": "owner"})])
	td.ids(findings, owner_gone) == set()
}

test_admin_key_owner_not_judged_without_complete_users if {
	inv := object.union(with_admin_key({}, []), {"sources": {"users": {"status": "partial", "items": 0, "pages": 1}}})
	findings := deny with input as inv
	td.ids(findings, owner_gone) == set()
}

test_expired_admin_key_of_departed_user_does_not_fire if {
	findings := deny with input as with_admin_key({"expires_at": td.now - td.day}, [])
	td.ids(findings, owner_gone) == set()
}

test_service_account_admin_key_does_not_fire if {
	findings := deny with input as with_admin_key({"owner": {"type": "service_account", "id": "svc-1"}}, [])
	td.ids(findings, owner_gone) == set()
}

# --- Key owned by a disabled or banned user ------------------------------

test_admin_key_of_banned_user_fires if {
	findings := deny with input as with_admin_key({}, [td.user({"role": "owner", "banned": true})])
	td.ids(findings, barred_owner) == {"key_admin"}
	some f in findings
	f.finding_type_id == barred_owner
	contains(f.message, "is banned")
}

test_project_key_of_disabled_user_fires if {
	inv := object.union(with_project_key({}), {"users": [td.user({"enabled": false})]})
	findings := deny with input as inv
	td.ids(findings, barred_owner) == {"key_proj"}
	some f in findings
	f.finding_type_id == barred_owner
	contains(f.message, "is disabled")
}

test_key_of_enabled_user_does_not_fire if {
	inv := object.union(with_project_key({}), {"users": [td.user({"enabled": true, "banned": false})]})
	findings := deny with input as inv
	td.ids(findings, barred_owner) == set()
}

test_key_of_user_with_unknown_state_does_not_fire if {
	inv := object.union(with_project_key({}), {"users": [td.user({"enabled": null, "banned": null})]})
	findings := deny with input as inv
	td.ids(findings, barred_owner) == set()
}

# --- Admin key with no expiry ----------------------------------------------

test_admin_key_without_expiry_fires if {
	findings := deny with input as with_admin_key({"expires_at": null}, [td.user({"role": "owner"})])
	td.ids(findings, no_expiry) == {"key_admin"}
	some f in findings
	f.severity == "medium"
	contains(f.message, "never expires")
}

test_admin_key_living_too_long_fires if {
	key := {"created_at": td.now - (10 * td.day), "expires_at": (td.now - (10 * td.day)) + (366 * td.day)}
	findings := deny with input as with_admin_key(key, [td.user({"role": "owner"})])
	td.ids(findings, no_expiry) == {"key_admin"}
}

test_admin_key_at_the_lifetime_boundary_does_not_fire if {
	key := {"created_at": td.now - (10 * td.day), "expires_at": (td.now - (10 * td.day)) + (365 * td.day)}
	findings := deny with input as with_admin_key(key, [td.user({"role": "owner"})])
	td.ids(findings, no_expiry) == set()
}

test_lifetime_comes_from_config if {
	key := {"created_at": td.now - (10 * td.day), "expires_at": (td.now - (10 * td.day)) + (100 * td.day)}
	findings := deny with input as with_admin_key(key, [td.user({"role": "owner"})])
		with data.openai.config.admin_key_max_lifetime_days as 90
	td.ids(findings, no_expiry) == {"key_admin"}
}

# --- Secret in a GPT ---------------------------------------------------------

detection := {"openai_api_key": {"count": 1, "sample": "sk-proj-…FAKE"}}

test_secret_in_instructions_fires if {
	inv := td.inventory({"gpts": [td.gpt({"instructions_detections": detection})]})
	findings := deny with input as inv
	td.ids(findings, gpt_secret) == {"g-test"}
	some f in findings
	f.severity == "critical"
	contains(f.message, "openai_api_key")
	contains(f.message, "instructions")
	f.evidence.places[0].detections.openai_api_key.sample == "sk-proj-…FAKE"
}

test_secret_in_action_openapi_fires if {
	tool := object.union(td.tool("custom_action"), {"action_domain": "api.example.com", "openapi_detections": {"github_token": {"count": 2, "sample": "ghp_…FAKE"}}})
	inv := td.inventory({"gpts": [td.gpt({"instructions_detections": {}, "tools": [tool]})]})
	findings := deny with input as inv
	td.ids(findings, gpt_secret) == {"g-test"}
	some f in findings
	contains(f.message, "action_openapi")
	not contains(f.message, "instructions")
}

test_clean_gpt_does_not_fire if {
	tool := object.union(td.tool("custom_action"), {"openapi_detections": {}})
	inv := td.inventory({"gpts": [td.gpt({"instructions_detections": {}, "tools": [tool]})]})
	findings := deny with input as inv
	td.ids(findings, gpt_secret) == set()
}

test_unscanned_gpt_does_not_fire if {
	inv := td.inventory({"gpts": [td.gpt({})]})
	findings := deny with input as inv
	count(findings) == 0
}

# An admin key the API sent without created_at: its lifetime is unknown, so
# only "never expires" can fire, and nothing errors.
test_admin_key_null_created_at_lifetime_does_not_fire if {
	key := {"created_at": null, "expires_at": td.now + (5000 * td.day)}
	findings := deny with input as with_admin_key(key, [td.user({"role": "owner"})])
	td.ids(findings, no_expiry) == set()
}

test_admin_key_null_created_at_never_expires_fires if {
	key := {"created_at": null, "expires_at": null}
	findings := deny with input as with_admin_key(key, [td.user({"role": "owner"})])
	td.ids(findings, no_expiry) == {"key_admin"}
}
