# API key hygiene: admin API keys of the organization and API keys of its
# projects that are old or unused. Keys of archived projects are left out:
# they cannot be used while the project is archived.
package openai.api_key_hygiene

import data.openai.config
import data.openai.lib

# Cutoffs are rules, not function calls, so each is computed once per
# evaluation rather than once per key.
admin_rotation_cutoff := lib.cutoff(config.admin_key_rotation_days)

project_rotation_cutoff := lib.cutoff(config.project_key_rotation_days)

admin_never_used_cutoff := lib.cutoff(config.admin_key_never_used_days)

admin_idle_cutoff := lib.cutoff(config.admin_key_idle_days)

project_never_used_cutoff := lib.cutoff(config.project_key_never_used_days)

project_idle_cutoff := lib.cutoff(config.project_key_idle_days)

admin_key_resource(key) := {"type": "admin_api_key", "id": key.id, "name": key.name}

# expired(key) holds for an admin key past its expires_at: it no longer
# works (the official spec's own example is one), so it is neither a key to
# rotate nor an unused one.
expired(key) if lib.older(key.expires_at, lib.now)

project_key_resource(key) := {"type": "project_api_key", "id": key.id, "name": key.name}

project_key_evidence(project, key) := {
	"project_id": project.id,
	"project_name": project.name,
	"redacted_value": object.get(key, "redacted_value", null),
	"owner": object.get(key, "owner", null),
}

# unused(key, never_cut, idle_cut) describes why a key is unused, if it is:
# never used and created before never_cut, or last used before idle_cut.
#
# The deny rules call it only for keys with last_used_at < idle_cut: that
# holds for keys idle too long and, as Rego orders null before every number,
# for keys never used; a key used recently is turned away by one comparison.
unused(key, never_cut, _) := sprintf("has never been used in the %d days since it was created", [lib.age_days(key.created_at)]) if {
	key.last_used_at == null
	lib.older(key.created_at, never_cut)
}

unused(key, _, idle_cut) := sprintf("was last used %d days ago", [lib.age_days(key.last_used_at)]) if {
	lib.older(key.last_used_at, idle_cut)
}

# METADATA
# title: "OpenAI: Admin API key not rotated"
# description: >-
#   An admin API key has been in use longer than the rotation period. Admin
#   keys manage the whole organization: users, projects and every other key.
#   Keys past their expires_at no longer work and are left out.
# custom:
#   finding_type_id: b72e971d-f5b9-4cf3-96f4-ef82bdf38453
#   severity: high
#   category: API key hygiene
#   enterprise_required: false
#   remediation: >-
#     Create a new admin key, move its users to the new key, then delete the
#     old one (Organization settings > Admin keys). Prefer read-only admin keys
#     for tools that only read.
#   sources: [admin_api_keys]
#   config: [admin_key_rotation_days]
#   frameworks:
#     cis-v8: ["5.2", "6.2"]
#     nist-csf-2.0: [PR.AA-01]
#     iso-27001-2022: [A.5.17, A.8.5]
#     soc2-2017: [CC6.1]
deny contains finding if {
	some key in input.admin_api_keys
	lib.older(key.created_at, admin_rotation_cutoff) # a null created_at (the API sent none) is no age
	not expired(key)
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		admin_key_resource(key),
		sprintf(
			"Admin API key %q was created %d days ago (rotation period %d days)",
			[lib.display(key), lib.age_days(key.created_at), config.admin_key_rotation_days],
		),
		{"redacted_value": object.get(key, "redacted_value", null), "owner": object.get(key, "owner", null)},
	)
}

# METADATA
# title: "OpenAI: Project API key not rotated"
# description: >-
#   An API key of an active project has been in use longer than the rotation
#   period.
# custom:
#   finding_type_id: 2c079fe8-6188-43e1-a2e5-d0e2dd8c7686
#   severity: high
#   category: API key hygiene
#   enterprise_required: false
#   remediation: >-
#     Create a new key in the project, move its users to it, then revoke the
#     old key (Project settings > API keys).
#   sources: [projects, project_api_keys]
#   config: [project_key_rotation_days]
#   frameworks:
#     cis-v8: ["5.2"]
#     nist-csf-2.0: [PR.AA-01]
#     iso-27001-2022: [A.5.17]
#     soc2-2017: [CC6.1]
deny contains finding if {
	some project in input.projects

	# Keys of archived projects are left out. Unknown project statuses count
	# as active: a finding too many beats a key never looked at.
	project.status != "archived"
	some key in project.api_keys
	lib.older(key.created_at, project_rotation_cutoff)
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		project_key_resource(key),
		sprintf(
			"API key %q of project %q was created %d days ago (rotation period %d days)",
			[lib.display(key), lib.display(project), lib.age_days(key.created_at), config.project_key_rotation_days],
		),
		project_key_evidence(project, key),
	)
}

# METADATA
# title: "OpenAI: Unused admin API key"
# description: >-
#   An admin API key has never been used since it was created a while ago, or
#   has not been used for a long time. An unused key is risk without purpose.
#   Keys past their expires_at no longer work and are left out.
# custom:
#   finding_type_id: 49c75a36-1e64-437b-98a1-e54ec35d0a64
#   severity: medium
#   category: API key hygiene
#   enterprise_required: false
#   remediation: >-
#     Confirm with the key's owner that nothing depends on it, then delete it
#     (Organization settings > Admin keys).
#   sources: [admin_api_keys]
#   config: [admin_key_never_used_days, admin_key_idle_days]
#   frameworks:
#     cis-v8: ["5.3", "6.2"]
#     nist-csf-2.0: [PR.AA-01, PR.AA-05]
#     iso-27001-2022: [A.5.18, A.8.2]
#     soc2-2017: [CC6.2, CC6.3]
deny contains finding if {
	some key in input.admin_api_keys
	key.last_used_at < admin_idle_cutoff
	not expired(key)
	why := unused(key, admin_never_used_cutoff, admin_idle_cutoff)
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		admin_key_resource(key),
		sprintf("Admin API key %q %s", [lib.display(key), why]),
		{"last_used_at": key.last_used_at, "redacted_value": object.get(key, "redacted_value", null)},
	)
}

# METADATA
# title: "OpenAI: Unused project API key"
# description: >-
#   An API key of an active project has never been used since it was created
#   a while ago, or has not been used for a long time.
# custom:
#   finding_type_id: c8fd231b-de51-43cc-8c3f-e1e57114c5f5
#   severity: medium
#   category: API key hygiene
#   enterprise_required: false
#   remediation: >-
#     Confirm with the key's owner that nothing depends on it, then revoke it
#     (Project settings > API keys).
#   sources: [projects, project_api_keys]
#   config: [project_key_never_used_days, project_key_idle_days]
#   frameworks:
#     cis-v8: ["5.3"]
#     nist-csf-2.0: [PR.AA-01]
#     iso-27001-2022: [A.5.18]
#     soc2-2017: [CC6.2]
deny contains finding if {
	some project in input.projects
	project.status != "archived"
	some key in project.api_keys
	key.last_used_at < project_idle_cutoff
	why := unused(key, project_never_used_cutoff, project_idle_cutoff)
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		project_key_resource(key),
		sprintf("API key %q of project %q %s", [lib.display(key), lib.display(project), why]),
		project_key_evidence(project, key),
	)
}
