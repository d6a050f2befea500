package openai.access_security_test

import data.openai.access_security.deny
import data.openai.config
import data.openai.testdata_test as td

# Ages are measured from config.rego's thresholds, so the tests pass
# whatever values a user gives them there.
stale_days := config.stale_invite_days

inactive_days := config.inactive_user_days

ago(days) := td.now - (days * td.day)

high_privilege := "776ceb93-fa9a-4ca0-83db-668a67c09936"

inactive := "20ab9ddb-fd48-46a8-9fdf-9bb9b9061f21"

stale := "18fd5b21-8489-485e-9c93-0bd4a696e724"

with_invite(overrides) := td.inventory({"invites": [td.invite(overrides)]})

with_user(overrides) := td.inventory({"users": [td.user(overrides)]})

# --- High-privilege invite ------------------------------------------------

test_owner_invite_fires if {
	findings := deny with input as with_invite({"role": "owner"})
	td.ids(findings, high_privilege) == {"invite-a"}
	some f in findings
	f.severity == "high"
	f.resource == {"type": "invite", "id": "invite-a", "name": "new@example.com"}
	contains(f.message, "organization role \"owner\"")
}

test_project_owner_invite_fires if {
	findings := deny with input as with_invite({"projects": [{"id": "proj_a", "role": "member"}, {"id": "proj_b", "role": "owner"}]})
	td.ids(findings, high_privilege) == {"invite-a"}
	some f in findings
	contains(f.message, "proj_b")
	not contains(f.message, "proj_a")
}

test_owner_and_project_owner_is_one_finding if {
	findings := deny with input as with_invite({"role": "owner", "projects": [{"id": "proj_b", "role": "owner"}]})
	count([f | some f in findings; f.finding_type_id == high_privilege]) == 1
}

test_reader_invite_does_not_fire if {
	findings := deny with input as with_invite({"projects": [{"id": "proj_a", "role": "member"}]})
	td.ids(findings, high_privilege) == set()
}

test_accepted_owner_invite_does_not_fire if {
	findings := deny with input as with_invite({"role": "owner", "status": "accepted", "accepted_at": td.now - td.day})
	count(findings) == 0
}

test_expired_owner_invite_does_not_fire if {
	findings := deny with input as with_invite({"role": "owner", "status": "expired", "created_at": td.now - (60 * td.day)})
	count(findings) == 0
}

# --- Stale pending invite -------------------------------------------------

test_old_pending_invite_fires if {
	findings := deny with input as with_invite({"created_at": ago(stale_days + 15), "expires_at": null})
	td.ids(findings, stale) == {"invite-a"}
	some f in findings
	f.severity == "low"
	contains(f.message, sprintf("%d days ago", [stale_days + 15]))
}

test_pending_invite_past_expiry_fires if {
	findings := deny with input as with_invite({"created_at": ago(stale_days), "expires_at": td.now - (3 * td.day)})
	td.ids(findings, stale) == {"invite-a"}
	some f in findings
	contains(f.message, "expired 3 days ago")
}

test_fresh_pending_invite_does_not_fire if {
	findings := deny with input as with_invite({})
	count(findings) == 0
}

test_accepted_old_invite_does_not_fire if {
	findings := deny with input as with_invite({"status": "accepted", "created_at": td.now - (300 * td.day), "expires_at": td.now - (290 * td.day)})
	count(findings) == 0
}

test_stale_invite_boundaries if {
	exactly := deny with input as with_invite({"created_at": ago(stale_days), "expires_at": null})
	td.ids(exactly, stale) == set()
	over := deny with input as with_invite({"created_at": ago(stale_days) - 1, "expires_at": null})
	td.ids(over, stale) == {"invite-a"}
	expires_now := deny with input as with_invite({"expires_at": td.now})
	td.ids(expires_now, stale) == set()
	expired := deny with input as with_invite({"expires_at": td.now - 1})
	td.ids(expired, stale) == {"invite-a"}
}

# --- Inactive user --------------------------------------------------------

test_inactive_user_fires if {
	findings := deny with input as with_user({"last_activity_at": ago(inactive_days + 30)})
	td.ids(findings, inactive) == {"user-a"}
	some f in findings
	f.severity == "medium"
	f.resource == {"type": "user", "id": "user-a", "name": "ada@example.com"}
	contains(f.message, sprintf("%d days ago", [inactive_days + 30]))
}

test_never_active_user_fires if {
	findings := deny with input as with_user({"last_activity_at": null, "added_at": ago(inactive_days + 10)})
	td.ids(findings, inactive) == {"user-a"}
	some f in findings
	contains(f.message, "no activity")
}

test_active_user_does_not_fire if {
	findings := deny with input as with_user({})
	count(findings) == 0
}

test_new_user_without_activity_does_not_fire if {
	findings := deny with input as with_user({"last_activity_at": null, "added_at": ago(inactive_days)})
	count(findings) == 0
}

test_inactive_user_boundaries if {
	exactly := deny with input as with_user({"last_activity_at": ago(inactive_days)})
	td.ids(exactly, inactive) == set()
	over := deny with input as with_user({"last_activity_at": ago(inactive_days) - 1})
	td.ids(over, inactive) == {"user-a"}
	added_exactly := deny with input as with_user({"last_activity_at": null, "added_at": ago(inactive_days)})
	td.ids(added_exactly, inactive) == set()
	added_over := deny with input as with_user({"last_activity_at": null, "added_at": ago(inactive_days) - 1})
	td.ids(added_over, inactive) == {"user-a"}
}

# A user added long ago but active recently is judged by the activity.
test_recent_activity_beats_old_membership if {
	findings := deny with input as with_user({"added_at": ago(inactive_days + 900), "last_activity_at": ago(inactive_days) + 1})
	count(findings) == 0
}

test_inactive_threshold_is_config if {
	findings := deny with input as with_user({"last_activity_at": td.now - (40 * td.day)})
		with data.openai.config.inactive_user_days as 30
	td.ids(findings, inactive) == {"user-a"}
}

# Users the API flags as service accounts are not people: never inactive.
test_service_account_user_does_not_fire if {
	findings := deny with input as with_user({"last_activity_at": null, "added_at": td.now - (400 * td.day), "is_service_account": true})
	td.ids(findings, inactive) == set()
	idle := deny with input as with_user({"last_activity_at": td.now - (200 * td.day), "is_service_account": true})
	td.ids(idle, inactive) == set()
}

# false and null are people, as are users of older API versions without
# the field.
test_user_not_flagged_service_account_fires if {
	no := deny with input as with_user({"last_activity_at": null, "is_service_account": false})
	td.ids(no, inactive) == {"user-a"}
	unknown := deny with input as with_user({"last_activity_at": null, "is_service_account": null})
	td.ids(unknown, inactive) == {"user-a"}
}

# A null role (the spec allows it) is kept and still judged.
test_user_with_null_role_fires if {
	findings := deny with input as with_user({"last_activity_at": null, "role": null})
	td.ids(findings, inactive) == {"user-a"}
}

# --- Users and invites the API sent without their timestamp (null) ----------

# A user with no activity and no added_at may have joined today: no finding.
test_user_null_added_at_no_activity_does_not_fire if {
	findings := deny with input as with_user({"added_at": null, "last_activity_at": null})
	td.ids(findings, inactive) == set()
}

# Activity older than the threshold says enough, whenever they joined.
test_user_null_added_at_old_activity_fires if {
	findings := deny with input as with_user({"added_at": null, "last_activity_at": ago(inactive_days + 10)})
	td.ids(findings, inactive) == {"user-a"}
}

test_invite_null_created_at_does_not_fire_stale if {
	findings := deny with input as with_invite({"created_at": null})
	td.ids(findings, stale) == set()
}

test_invite_null_created_at_expired_fires_stale if {
	findings := deny with input as with_invite({"created_at": null, "expires_at": ago(3)})
	td.ids(findings, stale) == {"invite-a"}
}
