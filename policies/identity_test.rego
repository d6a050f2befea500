package openai.identity_test

import data.openai.identity.deny
import data.openai.testdata_test as td

too_many_owners := "fcfd97cb-695a-407c-a7da-40326afa8218"

admin_role := "c9980cb9-5767-4381-b462-7bb252779607"

offboarded := "222b77a1-036d-4d0f-ac93-75cde94a186e"

foreign_invite := "181f2552-8a10-48bf-8981-833978826ef1"

complete := {"status": "complete", "items": 1, "pages": 1}

owner(i) := td.user({"id": sprintf("user-%d", [i]), "email": sprintf("o%d@example.com", [i]), "role": "owner"})

with_owners(n) := td.inventory({"users": [owner(i) | some i in numbers.range(1, n)]})

# --- Too many owners -------------------------------------------------------

test_four_owners_fire if {
	findings := deny with input as with_owners(4)
	td.ids(findings, too_many_owners) == {"org-test"}
	some f in findings
	f.resource.type == "organization"
	contains(f.message, "4 owners (at most 3)")
}

test_three_owners_are_the_boundary if {
	findings := deny with input as with_owners(3)
	td.ids(findings, too_many_owners) == set()
}

test_service_account_owners_do_not_count if {
	users := array.concat([owner(i) | some i in numbers.range(1, 3)], [td.user({"id": "svc", "email": "svc@example.com", "role": "owner", "is_service_account": true})])
	findings := deny with input as td.inventory({"users": users})
	td.ids(findings, too_many_owners) == set()
}

test_owner_maximum_comes_from_config if {
	findings := deny with input as with_owners(2) with data.openai.config.max_org_owners as 1
	td.ids(findings, too_many_owners) == {"org-test"}
}

# --- Custom admin role -----------------------------------------------------

role(overrides) := object.union(
	{"id": "role_1", "name": "Group Manager", "permissions": ["api.groups.read", "api.groups.write"], "resource_type": "api.organization", "predefined_role": false},
	overrides,
)

test_custom_role_with_admin_permission_fires if {
	findings := deny with input as td.inventory({"roles": [role({})]})
	td.ids(findings, admin_role) == {"role_1"}
	some f in findings
	f.severity == "high"
	contains(f.message, "api.groups.write")
	not contains(f.message, "api.groups.read")
}

test_predefined_role_does_not_fire if {
	findings := deny with input as td.inventory({"roles": [role({"predefined_role": true})]})
	td.ids(findings, admin_role) == set()
}

test_custom_read_only_role_does_not_fire if {
	findings := deny with input as td.inventory({"roles": [role({"permissions": ["api.groups.read", "api.model.request"]})]})
	td.ids(findings, admin_role) == set()
}

# --- Offboarded on one plane -------------------------------------------------

ws_user(overrides) := object.union({"id": "ws-1", "email": "Ada@Example.com", "role": "standard-user", "status": "active"}, overrides)

both(user_overrides, ws_overrides, extra) := td.inventory(object.union(
	{
		"sources": {"workspace_users": complete},
		"users": [td.user(user_overrides)],
		"workspace_users": [ws_user(ws_overrides)],
	},
	extra,
))

test_deactivated_in_chatgpt_but_platform_owner_fires if {
	findings := deny with input as both({"role": "owner"}, {"status": "deactivated"}, {})
	td.ids(findings, offboarded) == {"user-a"}
	some f in findings
	f.finding_type_id == offboarded
	contains(f.message, "owner role")
}

test_deactivated_in_chatgpt_with_project_key_fires if {
	key := td.project_key({"owner": {"type": "user", "id": "user-a"}})
	findings := deny with input as both({}, {"status": "inactive"}, {"projects": [td.project({"api_keys": [key]})]})
	td.ids(findings, offboarded) == {"user-a"}
}

test_deactivated_in_chatgpt_without_platform_power_does_not_fire if {
	findings := deny with input as both({}, {"status": "inactive"}, {})
	td.ids(findings, offboarded) == set()
}

test_banned_on_platform_but_active_in_chatgpt_fires if {
	findings := deny with input as both({"banned": true}, {}, {})
	td.ids(findings, offboarded) == {"user-a"}
	some f in findings
	contains(f.message, "banned on the API platform")
}

test_active_on_both_planes_does_not_fire if {
	findings := deny with input as both({"role": "owner", "enabled": true}, {}, {})
	td.ids(findings, offboarded) == set()
}

# Two accounts whose emails differ only in case are both judged: a lookup
# keyed by the lower-cased email must not make the evaluation fail on them.
test_emails_differing_only_in_case_are_all_judged if {
	inv := td.inventory({
		"sources": {"workspace_users": complete},
		"users": [
			td.user({"role": "owner"}),
			td.user({"id": "user-b", "email": "ADA@example.com", "role": "owner"}),
		],
		"workspace_users": [
			ws_user({"status": "deactivated"}),
			ws_user({"id": "ws-2", "email": "ada@EXAMPLE.com", "status": "deactivated"}),
		],
	})
	findings := deny with input as inv
	td.ids(findings, offboarded) == {"user-a", "user-b"}
}

test_offboarding_not_judged_without_workspace_users if {
	inv := object.union(both({"role": "owner"}, {"status": "deactivated"}, {}), {"sources": {"workspace_users": {"status": "failed", "items": 0, "pages": 0}}})
	findings := deny with input as inv
	td.ids(findings, offboarded) == set()
}

# --- Invite to a foreign domain --------------------------------------------

invites_of(email, users) := td.inventory({
	"sources": {"users": complete},
	"users": users,
	"invites": [td.invite({"email": email})],
})

test_invite_to_unused_domain_fires if {
	findings := deny with input as invites_of("friend@gmail.com", [td.user({})])
	td.ids(findings, foreign_invite) == {"invite-a"}
	some f in findings
	contains(f.message, "gmail.com is used by no current member")
}

test_invite_to_member_domain_does_not_fire if {
	findings := deny with input as invites_of("New@EXAMPLE.com", [td.user({})])
	td.ids(findings, foreign_invite) == set()
}

test_invite_outside_allowed_domains_fires if {
	findings := deny with input as invites_of("new@example.com", [td.user({})]) with data.openai.config.allowed_email_domains as {"acme.com"}
	td.ids(findings, foreign_invite) == {"invite-a"}
}

test_invite_inside_allowed_domains_does_not_fire if {
	findings := deny with input as invites_of("new@acme.com", []) with data.openai.config.allowed_email_domains as {"acme.com"}
	td.ids(findings, foreign_invite) == set()
}

test_accepted_invite_does_not_fire if {
	inv := object.union(invites_of("x@gmail.com", [td.user({})]), {"invites": [td.invite({"email": "x@gmail.com", "status": "accepted"})]})
	findings := deny with input as inv
	td.ids(findings, foreign_invite) == set()
}
