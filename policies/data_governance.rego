# Data governance: how long OpenAI keeps the organization's data, where it
# is stored and processed, and who ChatGPT projects share it with.
package openai.data_governance

import data.openai.config
import data.openai.lib

retention_type(holder) := t if {
	t := holder.data_retention.type
	is_string(t)
}

# METADATA
# title: "OpenAI: Data retention outside the allowed types"
# description: >-
#   The organization, or an active project, uses a data retention control
#   that is not one of allowed_data_retention (for a project "none" means
#   standard retention). Prompts and outputs are then kept longer, or
#   monitored otherwise, than the organization agreed to.
# custom:
#   finding_type_id: c6a653b3-d86e-4710-aadf-a42a383b6d1a
#   severity: medium
#   category: Data governance
#   enterprise_required: false
#   remediation: >-
#     Set the organization's or project's data retention to an allowed type
#     (Organization settings > Data controls, or the project's settings);
#     zero data retention needs an agreement with OpenAI.
#   sources: [organization_data_retention, project_data_retention]
#   config: [allowed_data_retention]
#   frameworks:
#     cis-v8: ["3.1", "3.4"]
#     nist-csf-2.0: [PR.DS-01, GV.OC-03]
#     iso-27001-2022: [A.5.33, A.5.34, A.8.10]
#     soc2-2017: [C1.1, C1.2]
#     owasp-llm-2025: [LLM02:2025]
deny contains finding if {
	some x in retention_outside
	finding := lib.finding_with_evidence(rego.metadata.rule(), x.resource, x.message, {"data_retention": x.type})
}

retention_outside contains x if {
	t := retention_type(input.organization)
	not t in config.allowed_data_retention
	x := {
		"resource": {"type": "organization", "id": input.organization.id, "name": object.get(input.organization, "name", null)},
		"type": t,
		"message": sprintf("The organization's data retention is %q, not an allowed type", [t]),
	}
}

retention_outside contains x if {
	some project in input.projects
	project.status != "archived"
	t := retention_type(project)
	not t in config.allowed_data_retention
	x := {
		"resource": {"type": "project", "id": project.id, "name": project.name},
		"type": t,
		"message": sprintf("Project %q has data retention %q, not an allowed type", [lib.display(project), t]),
	}
}

# METADATA
# title: "OpenAI: Project data residency outside the allowed regions"
# description: >-
#   An active project stores or processes data in a residency that is not
#   in allowed_residencies. Checked only when that list is set.
# custom:
#   finding_type_id: 468386e1-6bae-4906-8fbb-e5d55fbf0e28
#   severity: medium
#   category: Data governance
#   enterprise_required: false
#   remediation: >-
#     Move the workload to a project created in an allowed region (residency
#     is chosen when a project is created), then archive this one.
#   sources: [projects]
#   config: [allowed_residencies]
#   frameworks:
#     cis-v8: ["3.1"]
#     nist-csf-2.0: [GV.OC-03, PR.DS-01]
#     iso-27001-2022: [A.5.23, A.5.34]
#     soc2-2017: [C1.1]
deny contains finding if {
	count(config.allowed_residencies) > 0
	some project in input.projects
	project.status != "archived"
	r := project.residency
	is_string(r)
	not r in config.allowed_residencies
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		{"type": "project", "id": project.id, "name": project.name},
		sprintf("Project %q has residency %s, outside %s", [lib.display(project), r, concat(", ", sort(config.allowed_residencies))]),
		{"residency": r},
	)
}

# Reach of each normalized visibility, for messages.
project_reach := {
	"workspace-with-link": "by link with anyone in the workspace",
	"anyone-with-link": "by link with anyone who has the link, inside the workspace or not",
	"workspace": "with everyone in the workspace",
	"gpt-store": "publicly",
	"invite-only": "with the people invited to it",
}

project_sharing(p) := s if {
	s := project_reach[p.visibility]
} else := sprintf("with visibility %q, which this version does not know", [p.visibility_raw])

# METADATA
# title: "OpenAI: ChatGPT project shared by link outside its owner"
# description: >-
#   A ChatGPT project (its files, instructions and chats) reaches people
#   its owner did not name: its sharing visibility is not one of
#   allowed_chatgpt_project_visibilities, by default invite-only (the owner
#   and the people invited to it by name). Outside its owner means shared
#   with anyone the owner did not name: a link, for anyone in the workspace
#   (workspace-with-link) or for anyone at all (anyone-with-link), fires,
#   as do the broader workspace and gpt-store listings; a visibility this
#   version does not know fires too (visibility unknown, the value in
#   visibility_raw), since nothing says it stays with named people.
#   Sharing with named recipients does not fire, nor does a project the
#   API sent no visibility for.
# custom:
#   finding_type_id: a853064b-3382-413b-a3c5-bd110289eed8
#   severity: medium
#   category: Data governance
#   enterprise_required: true
#   remediation: >-
#     Change the project's sharing to invited people only, share it with
#     the colleagues who need it by name, and restrict link sharing of
#     projects in the workspace's settings; if a link must stay, add its
#     visibility to allowed_chatgpt_project_visibilities.
#   sources: [chatgpt_projects]
#   config: [allowed_chatgpt_project_visibilities]
#   frameworks:
#     cis-v8: ["3.3"]
#     nist-csf-2.0: [PR.DS-01, PR.AA-05]
#     iso-27001-2022: [A.5.10, A.5.14, A.5.15]
#     soc2-2017: [CC6.1, C1.1]
#     owasp-llm-2025: [LLM02:2025]
deny contains finding if {
	some project in input.chatgpt_projects
	is_string(project.visibility_raw)
	not project.visibility in config.allowed_chatgpt_project_visibilities
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		{"type": "chatgpt_project", "id": project.id, "name": project.name},
		sprintf("ChatGPT project %q is shared %s", [lib.display(project), project_sharing(project)]),
		{
			"visibility": project.visibility_raw,
			"owner_email": object.get(project, "owner_email", null),
			"recipients": count(object.get(project, "recipients", [])),
		},
	)
}
