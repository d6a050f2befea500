# Credentials: API keys whose owner is gone or barred, admin keys that never
# expire, and secrets written into custom GPTs. Keys of archived projects
# are left out: they cannot be used while the project is archived.
package openai.credentials

import data.openai.config
import data.openai.lib

users_by_id := {u.id: u | some u in input.users}

admin_key_resource(key) := {"type": "admin_api_key", "id": key.id, "name": key.name}

project_key_resource(key) := {"type": "project_api_key", "id": key.id, "name": key.name}

# owner_id is the user id owning an admin key, when the owner is a user
# (type is a free string: anything but a service account counts).
admin_owner_id(key) := id if {
	owner := key.owner
	is_object(owner)
	object.get(owner, "type", null) != "service_account"
	id := owner.id
	is_string(id)
}

# barred(user) says why a user may not act any more, if so.
barred(user) := "is banned" if {
	object.get(user, "banned", null) == true
} else := "is disabled" if {
	object.get(user, "enabled", null) == false
}

# live(key) holds for an admin key that has not expired.
live(key) if key.expires_at == null

live(key) if key.expires_at > lib.now

# METADATA
# title: "OpenAI: Project API key whose owner lost project access"
# description: >-
#   A project API key belongs to a user who is no longer a member of the
#   project (the API reports owner_project_access inactive). Nobody who can
#   see the project answers for the key, and it may still work.
# custom:
#   finding_type_id: ce44dd6a-8298-4f4c-acf5-f660cfe4cec7
#   severity: high
#   category: Credentials
#   enterprise_required: false
#   remediation: >-
#     Revoke the key (Project settings > API keys), or hand its workload to a
#     service account of the project and revoke it then.
#   sources: [project_api_keys]
#   frameworks:
#     cis-v8: ["5.3", "6.2"]
#     nist-csf-2.0: [PR.AA-01, PR.AA-05]
#     iso-27001-2022: [A.5.18, A.6.5]
#     soc2-2017: [CC6.2, CC6.3]
deny contains finding if {
	some project in input.projects
	project.status != "archived"
	some key in project.api_keys
	key.owner_project_access == "inactive"
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		project_key_resource(key),
		sprintf("API key %q of project %q belongs to %s, who no longer has access to the project", [lib.display(key), lib.display(project), owner_label(key.owner)]),
		{"project_id": project.id, "project_name": project.name, "redacted_value": object.get(key, "redacted_value", null), "owner": object.get(key, "owner", null)},
	)
}

owner_label(owner) := e if {
	is_object(owner)
	e := owner.email
	is_string(e)
} else := i if {
	is_object(owner)
	i := owner.id
	is_string(i)
} else := "an unknown owner"

# admin_owner_gone describes why an admin key's owner no longer holds the
# organization's owner role, if so.
admin_owner_gone(id) := "is no longer a member of the organization" if {
	not users_by_id[id]
} else := sprintf("is no longer an organization owner (role %q)", [users_by_id[id].role]) if {
	users_by_id[id].role != "owner"
}

# METADATA
# title: "OpenAI: Admin API key owned by someone who is no longer an owner"
# description: >-
#   An admin API key that has not expired belongs to a user who has left the
#   organization, or who no longer holds the owner role that admin keys
#   need. The key keeps its full power over the organization.
# custom:
#   finding_type_id: 346872ed-a583-44bd-9450-c0d64df345db
#   severity: high
#   category: Credentials
#   enterprise_required: false
#   remediation: >-
#     Delete the key (Organization settings > Admin keys). If an automation
#     uses it, issue a new key owned by a current owner first.
#   sources: [admin_api_keys, users]
#   frameworks:
#     cis-v8: ["5.3", "5.4", "6.2"]
#     nist-csf-2.0: [PR.AA-01, PR.AA-05]
#     iso-27001-2022: [A.5.18, A.6.5, A.8.2]
#     soc2-2017: [CC6.2, CC6.3]
deny contains finding if {
	lib.collected("users")
	some key in input.admin_api_keys
	live(key)
	id := admin_owner_id(key)
	why := admin_owner_gone(id)
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		admin_key_resource(key),
		sprintf("Admin API key %q belongs to user %s, who %s", [lib.display(key), id, why]),
		{"redacted_value": object.get(key, "redacted_value", null), "owner": key.owner},
	)
}

# METADATA
# title: "OpenAI: API key owned by a disabled or banned user"
# description: >-
#   An admin key, or a key of an active project, belongs to a user whose
#   account is disabled or banned. The person was barred; their keys were
#   not.
# custom:
#   finding_type_id: 9e473a30-fe4e-49dc-9407-1e8e5fa5aa02
#   severity: high
#   category: Credentials
#   enterprise_required: false
#   remediation: >-
#     Revoke the user's keys (Organization settings > Admin keys, and each
#     project's API keys), then remove the user from the organization.
#   sources: [users]
#   frameworks:
#     cis-v8: ["5.3", "6.2"]
#     nist-csf-2.0: [PR.AA-01, PR.AA-05]
#     iso-27001-2022: [A.5.17, A.5.18, A.6.5]
#     soc2-2017: [CC6.1, CC6.2]
deny contains finding if {
	some k in barred_keys
	finding := lib.finding_with_evidence(rego.metadata.rule(), k.resource, k.message, k.evidence)
}

# barred_keys are the keys of disabled or banned users: admin keys, then
# keys of active projects.
barred_keys contains k if {
	some key in input.admin_api_keys
	live(key)
	id := admin_owner_id(key)
	why := barred(users_by_id[id])
	k := {
		"resource": admin_key_resource(key),
		"message": sprintf("Admin API key %q belongs to user %s, who %s", [lib.display(key), id, why]),
		"evidence": {"redacted_value": object.get(key, "redacted_value", null), "owner": key.owner},
	}
}

barred_keys contains k if {
	some project in input.projects
	project.status != "archived"
	some key in project.api_keys
	key.owner.type == "user"
	id := key.owner.id
	why := barred(users_by_id[id])
	k := {
		"resource": project_key_resource(key),
		"message": sprintf("API key %q of project %q belongs to %s, who %s", [lib.display(key), lib.display(project), owner_label(key.owner), why]),
		"evidence": {"project_id": project.id, "redacted_value": object.get(key, "redacted_value", null), "owner": key.owner},
	}
}

# lifetime(key) describes why an admin key lives too long, if it does.
lifetime(key) := "never expires" if {
	key.expires_at == null
} else := sprintf("expires %d days after it was created (at most %d)", [days, config.admin_key_max_lifetime_days]) if {
	key.created_at != null # the API sent none: the lifetime is unknown
	life := key.expires_at - key.created_at
	life > config.admin_key_max_lifetime_days * lib.day
	days := (life - (life % lib.day)) / lib.day
}

# METADATA
# title: "OpenAI: Admin API key with no expiry"
# description: >-
#   An admin API key never expires, or expires only long after it was
#   created. A leaked key that expires limits the damage by itself.
# custom:
#   finding_type_id: f75e05e4-cb53-46da-9ab0-42c91cc7fc6b
#   severity: medium
#   category: Credentials
#   enterprise_required: false
#   remediation: >-
#     Issue admin keys with an expiry (at most admin_key_max_lifetime_days),
#     move automations to the new key, then delete the old one.
#   sources: [admin_api_keys]
#   config: [admin_key_max_lifetime_days]
#   frameworks:
#     cis-v8: ["5.2", "6.2"]
#     nist-csf-2.0: [PR.AA-01]
#     iso-27001-2022: [A.5.17, A.8.5]
#     soc2-2017: [CC6.1]
deny contains finding if {
	some key in input.admin_api_keys
	live(key)
	why := lifetime(key)
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		admin_key_resource(key),
		sprintf("Admin API key %q %s", [lib.display(key), why]),
		{"created_at": key.created_at, "expires_at": key.expires_at, "redacted_value": object.get(key, "redacted_value", null)},
	)
}

# secret_places(gpt) lists where the secret detectors matched in a GPT:
# its instructions, and the OpenAPI text of each of its actions, with the
# detector names, counts and redacted samples (never the values).
secret_places(gpt) := array.concat(
	[{"field": "instructions", "detections": d} |
		d := gpt.instructions_detections
		is_object(d)
		count(d) > 0
	],
	[{"field": "action_openapi", "action_domain": object.get(t, "action_domain", null), "detections": d} |
		some t in gpt.tools
		d := t.openapi_detections
		is_object(d)
		count(d) > 0
	],
)

# METADATA
# title: "OpenAI: Secret in a GPT's instructions or action definition"
# description: >-
#   The secret detectors matched in a custom GPT's instructions or in the
#   OpenAPI text of one of its actions: an API key, token or private key
#   written where everyone who can view the GPT's configuration can read it,
#   and where the model can be talked into repeating it.
# custom:
#   finding_type_id: dde6eb03-a01e-4aac-8cde-d9999d90a03e
#   severity: critical
#   category: Credentials
#   enterprise_required: true
#   remediation: >-
#     Revoke the secret at its issuer now, then remove it from the GPT. Give
#     actions their credentials through the action's authentication settings
#     (API key or OAuth), never in instructions or the OpenAPI text.
#   sources: [gpts]
#   frameworks:
#     cis-v8: ["3.11", "16.1"]
#     nist-csf-2.0: [PR.DS-01, PR.AA-01]
#     iso-27001-2022: [A.5.17, A.8.12, A.8.28]
#     soc2-2017: [CC6.1, CC6.7]
#     owasp-llm-2025: [LLM02:2025, LLM07:2025]
deny contains finding if {
	some gpt in input.gpts
	places := secret_places(gpt)
	count(places) > 0
	detectors := sort({name | some p in places; some name, _ in p.detections})
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		{"type": "gpt", "id": gpt.id, "name": gpt.name},
		sprintf("GPT %q holds a secret (%s) in %s", [lib.display(gpt), concat(", ", detectors), concat(" and ", sort({p.field | some p in places}))]),
		{"places": places, "owner_email": object.get(gpt, "owner_email", null)},
	)
}
