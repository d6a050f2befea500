# Identity: who holds power over the organization. Too many owners, custom
# roles that administer the organization, people offboarded on one plane
# (ChatGPT or the API platform) but still active on the other, and invites
# to mail domains the organization does not use.
package openai.identity

import data.openai.config
import data.openai.lib

org_resource := {"type": "organization", "id": input.organization.id, "name": object.get(input.organization, "name", null)}

owners := sort([u.email | some u in input.users; u.role == "owner"; not object.get(u, "is_service_account", false)])

# METADATA
# title: "OpenAI: More organization owners than allowed"
# description: >-
#   More people hold the organization's owner role than the configured
#   maximum. Owners can create admin keys, invite anyone and change every
#   setting; each one more is one more account whose compromise is total.
# custom:
#   finding_type_id: fcfd97cb-695a-407c-a7da-40326afa8218
#   severity: medium
#   category: Identity
#   enterprise_required: false
#   remediation: >-
#     Keep two or three owners; give everyone else the reader role, with
#     project roles where they work (Organization settings > Members).
#   sources: [users]
#   config: [max_org_owners]
#   frameworks:
#     cis-v8: ["5.4", "6.8"]
#     nist-csf-2.0: [PR.AA-05]
#     iso-27001-2022: [A.8.2, A.5.15]
#     soc2-2017: [CC6.3]
deny contains finding if {
	count(owners) > config.max_org_owners
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		org_resource,
		sprintf("The organization has %d owners (at most %d)", [count(owners), config.max_org_owners]),
		{"owners": owners},
	)
}

# admin_permissions(role) are the permissions of a role that administer
# the organization.
admin_permissions(role) := sort([p | some p in role.permissions; p in config.org_admin_permissions])

# METADATA
# title: "OpenAI: Custom role granting organization-admin permissions"
# description: >-
#   A custom role carries permissions that administer the organization
#   (members, roles, groups, invites, projects or admin keys). Custom roles
#   are easy to hand out and rarely reviewed; admin power belongs in the
#   predefined owner role.
# custom:
#   finding_type_id: c9980cb9-5767-4381-b462-7bb252779607
#   severity: high
#   category: Identity
#   enterprise_required: false
#   remediation: >-
#     Remove the administrative permissions from the role, or replace it with
#     the predefined owner role for the few people who need it
#     (Organization settings > Roles).
#   sources: [roles]
#   config: [org_admin_permissions]
#   frameworks:
#     cis-v8: ["5.4", "6.8"]
#     nist-csf-2.0: [PR.AA-05]
#     iso-27001-2022: [A.5.15, A.8.2]
#     soc2-2017: [CC6.3]
deny contains finding if {
	some role in input.roles
	object.get(role, "predefined_role", null) == false
	perms := admin_permissions(role)
	count(perms) > 0
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		{"type": "role", "id": role.id, "name": object.get(role, "name", null)},
		sprintf("Custom role %q grants %s", [lib.display(object.union({"name": null}, role)), concat(", ", perms)]),
		{"permissions": perms, "resource_type": object.get(role, "resource_type", null)},
	)
}

# --- Offboarded on one plane, active on the other --------------------------

# workspace_by_email and users_by_email list everyone under each email,
# lower-cased: two accounts may share an address that differs only in case,
# and a map to one value would make the whole evaluation fail on them (an
# object's keys must be unique). Only the workspace's addresses are keys:
# they are a fraction of the platform's users, and no other user can match.
#
# The lower-casing is written out (is_string, then lower) rather than
# through lib.lower_or_null: a function call per element was a third of
# users_by_email's time at 100,000 users.
#
# Each map's inner list is an equality on the outer key, so OPA builds the
# inner lists for all keys in one pass (comprehension indexing), provided
# every key the outer body tries has elements behind it: a key with none
# misses the cache and rescans the whole list. The outer bodies iterate
# keys taken from the same list for that reason (an earlier
# project_keys_of, iterating a rule of the active keys, took 62 of
# identity's 81 s at 100,000 users in opa eval --profile).
workspace_emails := {lower(w.email) |
	some w in input.workspace_users
	is_string(w.email)
}

workspace_by_email := {e: ws |
	some e in workspace_emails
	ws := [x | some x in input.workspace_users; is_string(x.email); lower(x.email) == e]
}

# users_by_email iterates the users, not workspace_emails: a key with no
# element behind it misses OPA's comprehension cache and rescans every user
# (quadratic when many members have no platform account).
users_by_email := {e: us |
	some u in input.users
	is_string(u.email)
	e := lower(u.email)
	e in workspace_emails
	us := [x | some x in input.users; is_string(x.email); lower(x.email) == e]
}

left_workspace(w) if lib.lower_or_null(object.get(w, "status", null)) in config.inactive_workspace_statuses

barred(u) if object.get(u, "banned", null) == true

barred(u) if object.get(u, "enabled", null) == false

# platform_power(u) lists what a platform user still holds: the owner role,
# admin keys, keys of active projects.
platform_power(u) := array.concat(
	["the organization owner role" | u.role == "owner"],
	array.concat(object.get(admin_keys_of, u.id, []), object.get(project_keys_of, u.id, [])),
)

# admin_keys_of and project_keys_of name each owner's keys, in document
# order, by owner id, built in one pass over the keys (see
# workspace_by_email for why the outer body iterates the distinct owners).
admin_key_owners := {id | id := input.admin_api_keys[_].owner.id}

admin_keys_of := {id: ks |
	some id in admin_key_owners
	ks := [sprintf("admin key %s", [k.id]) | some k in input.admin_api_keys; k.owner.id == id]
}

project_key_owners := {id |
	some p in input.projects
	p.status != "archived"
	id := p.api_keys[_].owner.id
}

project_keys_of := {id: ks |
	some id in project_key_owners
	ks := [sprintf("project key %s", [k.id]) |
		some p in input.projects
		p.status != "archived"
		some k in p.api_keys
		k.owner.id == id
	]
}

offboarded contains x if {
	lib.collected("workspace_users")
	some email, ws in workspace_by_email
	some w in ws
	left_workspace(w)
	some u in users_by_email[email]
	not barred(u)
	power := platform_power(u)
	count(power) > 0
	x := {
		"email": email,
		"user_id": u.id,
		"message": sprintf("%s is %s in the ChatGPT workspace but still holds %s on the API platform", [email, lower(w.status), concat(", ", power)]),
		"evidence": {"workspace_status": w.status, "platform_user_id": u.id, "platform_role": u.role, "holds": power},
	}
}

# From the workspace's side: its members are a fraction of the platform's
# users, so this looks up the few rather than checking every user.
offboarded contains x if {
	lib.collected("workspace_users")
	some email, ws in workspace_by_email
	some w in ws
	not left_workspace(w)
	some u in users_by_email[email]
	barred(u)
	x := {
		"email": email,
		"user_id": u.id,
		"message": sprintf("%s is %s on the API platform but still an active member of the ChatGPT workspace (role %v)", [email, barred_word(u), object.get(w, "role", null)]),
		"evidence": {"workspace_status": object.get(w, "status", null), "workspace_role": object.get(w, "role", null), "platform_user_id": u.id},
	}
}

barred_word(u) := "banned" if object.get(u, "banned", null) == true

else := "disabled"

# METADATA
# title: "OpenAI: Person offboarded on one plane but active on the other"
# description: >-
#   A person was deactivated in the ChatGPT workspace but still holds the
#   owner role or API keys on the API platform, or was disabled or banned on
#   the platform but is still an active workspace member. Offboarding that
#   covers one plane leaves the other open. People are matched by email,
#   ignoring case.
# custom:
#   finding_type_id: 222b77a1-036d-4d0f-ac93-75cde94a186e
#   severity: high
#   category: Identity
#   enterprise_required: true
#   remediation: >-
#     Finish the offboarding on the other plane: remove the member from the
#     organization and revoke their keys, or deactivate them in the ChatGPT
#     workspace; drive both from your identity provider (SCIM).
#   sources: [users, workspace_users, admin_api_keys, project_api_keys]
#   config: [inactive_workspace_statuses]
#   frameworks:
#     cis-v8: ["5.3", "6.2"]
#     nist-csf-2.0: [PR.AA-01, PR.AA-05]
#     iso-27001-2022: [A.5.16, A.5.18, A.6.5]
#     soc2-2017: [CC6.2]
deny contains finding if {
	some x in offboarded
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		{"type": "user", "id": x.user_id, "name": x.email},
		x.message,
		x.evidence,
	)
}

# --- Invite to a foreign domain ---------------------------------------------

# member_domains is lib.email_domain written out: a call per user was most
# of the package's time at 100,000 users (opa eval --profile).
member_domains := {d |
	some u in input.users
	is_string(u.email)
	parts := split(lower(u.email), "@")
	count(parts) > 1
	d := parts[count(parts) - 1]
	d != ""
}

# foreign(domain) says why an invite's domain is foreign, if it is.
foreign(domain) := "is not in allowed_email_domains" if {
	count(config.allowed_email_domains) > 0
	not domain in config.allowed_email_domains
} else := "is used by no current member" if {
	count(config.allowed_email_domains) == 0
	lib.collected("users")
	not domain in member_domains
}

# METADATA
# title: "OpenAI: Invite to an email domain outside the organization"
# description: >-
#   A pending invite goes to a mail domain outside allowed_email_domains,
#   or, when that list is empty, to a domain that no current member uses. A
#   typo or a personal address hands organization access to a stranger.
# custom:
#   finding_type_id: 181f2552-8a10-48bf-8981-833978826ef1
#   severity: medium
#   category: Identity
#   enterprise_required: false
#   remediation: >-
#     Check the address with whoever sent the invite; revoke it unless the
#     outside person is meant to join (Organization settings > Members >
#     Pending invites). List your domains in allowed_email_domains.
#   sources: [invites, users]
#   config: [allowed_email_domains]
#   frameworks:
#     cis-v8: ["6.1"]
#     nist-csf-2.0: [PR.AA-01, PR.AA-05]
#     iso-27001-2022: [A.5.16, A.5.18]
#     soc2-2017: [CC6.2]
deny contains finding if {
	some invite in input.invites
	invite.status == "pending"
	domain := lib.email_domain(invite.email)
	why := foreign(domain)
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		{"type": "invite", "id": invite.id, "name": invite.email},
		sprintf("Pending invite for %s: the domain %s %s", [invite.email, domain, why]),
		{"role": invite.role, "domain": domain},
	)
}
