# Access security: who can get into the organization. Pending invites that
# would grant too much or linger, and members who no longer use their access.
package openai.access_security

import data.openai.config
import data.openai.lib

stale_invite_cutoff := lib.cutoff(config.stale_invite_days)

inactive_user_cutoff := lib.cutoff(config.inactive_user_days)

# privileged_grants(invite) lists what a pending invite would grant that
# config calls high-privilege: the organization role, then project roles.
privileged_grants(invite) := array.concat(
	[sprintf("organization role %q", [invite.role]) | invite.role in config.high_privilege_org_roles],
	sort([sprintf("role %q on project %s", [p.role, p.id]) |
		some p in object.get(invite, "projects", [])
		p.role in config.high_privilege_project_roles
	]),
)

# METADATA
# title: "OpenAI: High-privilege invite"
# description: >-
#   A pending invite would make its recipient an organization owner, or an
#   owner of a project. Whoever controls the invited mailbox gets that access.
# custom:
#   finding_type_id: 776ceb93-fa9a-4ca0-83db-668a67c09936
#   severity: high
#   category: Access security
#   enterprise_required: false
#   remediation: >-
#     Confirm the recipient should hold the role. Otherwise revoke the invite
#     and invite again with the reader role (Organization settings > Members).
#   sources: [invites]
#   config: [high_privilege_org_roles, high_privilege_project_roles]
#   frameworks:
#     cis-v8: ["5.4", "6.1"]
#     nist-csf-2.0: [PR.AA-05]
#     iso-27001-2022: [A.5.18, A.8.2]
#     soc2-2017: [CC6.2, CC6.3]
deny contains finding if {
	some invite in input.invites
	invite.status == "pending"
	grants := privileged_grants(invite)
	count(grants) > 0
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		{"type": "invite", "id": invite.id, "name": invite.email},
		sprintf("Pending invite for %s grants %s", [invite.email, concat(", ", grants)]),
		{"role": invite.role, "created_at": invite.created_at},
	)
}

# stale(invite) describes why a pending invite is stale, if it is.
stale(invite) := sprintf("was sent %d days ago", [lib.age_days(invite.created_at)]) if {
	lib.older(invite.created_at, stale_invite_cutoff)
} else := sprintf("expired %d days ago but is still pending", [lib.age_days(invite.expires_at)]) if {
	lib.older(invite.expires_at, lib.now)
}

# METADATA
# title: "OpenAI: Stale pending invite"
# description: >-
#   An invite has been pending for a long time, or is past its expiry and
#   still pending. Forgotten invites can be accepted by whoever reaches the
#   mailbox later.
# custom:
#   finding_type_id: 18fd5b21-8489-485e-9c93-0bd4a696e724
#   severity: low
#   category: Access security
#   enterprise_required: false
#   remediation: >-
#     Revoke the invite, and invite again if the person still needs access
#     (Organization settings > Members > Pending invites).
#   sources: [invites]
#   config: [stale_invite_days]
#   frameworks:
#     cis-v8: ["6.1", "6.2"]
#     nist-csf-2.0: [PR.AA-01]
#     iso-27001-2022: [A.5.16, A.5.18]
#     soc2-2017: [CC6.2]
deny contains finding if {
	some invite in input.invites
	invite.status == "pending"
	why := stale(invite)
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		{"type": "invite", "id": invite.id, "name": invite.email},
		sprintf("Pending invite for %s %s", [invite.email, why]),
		{"role": invite.role, "created_at": invite.created_at, "expires_at": invite.expires_at},
	)
}

# inactive(user) describes why a user is inactive, if they are. The deny rule
# calls it only for users with last_activity_at < inactive_user_cutoff: that
# holds for users idle too long and, as Rego orders null before every number,
# for users with no activity at all; an active user is turned away by one
# comparison.
inactive(user) := sprintf("was last active %d days ago", [lib.age_days(user.last_activity_at)]) if {
	lib.older(user.last_activity_at, inactive_user_cutoff)
}

inactive(user) := sprintf("shows no activity since being added %d days ago", [lib.age_days(user.added_at)]) if {
	user.last_activity_at == null
	lib.older(user.added_at, inactive_user_cutoff)
}

# METADATA
# title: "OpenAI: Inactive user"
# description: >-
#   A member of the organization has not been active for a long time:
#   no login, and no use of their API keys. Dormant accounts keep their
#   access and are a favourite target. Users the API flags as service
#   accounts (is_service_account) are left out.
# custom:
#   finding_type_id: 20ab9ddb-fd48-46a8-9fdf-9bb9b9061f21
#   severity: medium
#   category: Access security
#   enterprise_required: false
#   remediation: >-
#     Confirm with the user's manager whether the access is still needed;
#     remove the member otherwise (Organization settings > Members), or through
#     your identity provider when the member is SCIM-managed.
#   sources: [users, audit_logs, project_api_keys]
#   config: [inactive_user_days]
#   frameworks:
#     cis-v8: ["5.3"]
#     nist-csf-2.0: [PR.AA-01, PR.AA-05]
#     iso-27001-2022: [A.5.18]
#     soc2-2017: [CC6.2]
deny contains finding if {
	some user in input.users
	user.last_activity_at < inactive_user_cutoff

	# Service accounts listed among users are not people: they do not log
	# in, and their inactivity is not a dormant account.
	not user.is_service_account == true
	why := inactive(user)
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		{"type": "user", "id": user.id, "name": user.email},
		sprintf("User %s %s", [user.email, why]),
		{
			"role": user.role,
			"last_activity_at": user.last_activity_at,
			"signals_unavailable": user.activity_signals.unavailable,
		},
	)
}
