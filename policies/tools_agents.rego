# Tools and agents: what API projects and custom GPTs may reach. Hosted
# tools of the API platform, model allow-lists, and the custom actions,
# owners and editors of GPTs.
package openai.tools_agents

import data.openai.config
import data.openai.lib

project_resource(p) := {"type": "project", "id": p.id, "name": p.name}

gpt_resource(g) := {"type": "gpt", "id": g.id, "name": g.name}

active_projects contains p if {
	some p in input.projects
	p.status != "archived"
}

# METADATA
# title: "OpenAI: Project with a risky hosted tool enabled"
# description: >-
#   An active project lets the Responses API use a hosted tool listed in
#   flagged_hosted_tools: remote MCP servers (model output calls third-party
#   servers), web search (queries built from prompts leave OpenAI), or code
#   interpreter (runs generated code over uploaded data). One finding per
#   project and tool.
# custom:
#   finding_type_id: b146bdc5-c1a7-4145-83a2-efdf1a36efc8
#   severity: medium
#   category: Tools and agents
#   enterprise_required: false
#   remediation: >-
#     Turn off the hosted tools the project's applications do not use
#     (Project settings > Hosted tools, or POST
#     /organization/projects/{id}/hosted_tool_permissions).
#   sources: [project_hosted_tool_permissions]
#   config: [flagged_hosted_tools]
#   frameworks:
#     cis-v8: ["4.8", "2.7"]
#     nist-csf-2.0: [PR.PS-01, PR.AA-05]
#     iso-27001-2022: [A.8.9, A.8.26]
#     soc2-2017: [CC6.1, CC6.8]
#     owasp-llm-2025: [LLM06:2025, LLM03:2025]
deny contains finding if {
	some project in active_projects
	some tool, perm in project.hosted_tool_permissions
	tool in config.flagged_hosted_tools
	perm.enabled == true
	finding := lib.keyed_finding(
		rego.metadata.rule(),
		project_resource(project),
		tool,
		sprintf("Project %q has the hosted tool %s enabled", [lib.display(project), tool]),
		{"tool": tool},
	)
}

# METADATA
# title: "OpenAI: Project without a model allow-list"
# description: >-
#   An active project's model permissions are not an allow-list: its keys
#   can call every model, including new, costly or preview ones, rather
#   than the few its applications were reviewed with.
# custom:
#   finding_type_id: 0ccdd1d4-97e2-4394-8b99-024b69ba085a
#   severity: low
#   category: Tools and agents
#   enterprise_required: false
#   remediation: >-
#     Set the project's model permissions to an allow-list of the models it
#     uses (Project settings > Limits > Model usage).
#   sources: [project_model_permissions]
#   frameworks:
#     cis-v8: ["2.5", "4.1"]
#     nist-csf-2.0: [PR.PS-01]
#     iso-27001-2022: [A.8.9]
#     soc2-2017: [CC6.1, CC8.1]
#     owasp-llm-2025: [LLM03:2025, LLM10:2025]
deny contains finding if {
	some project in active_projects
	mp := project.model_permissions
	is_object(mp)
	mp.mode != "allow_list"
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		project_resource(project),
		sprintf("Project %q has no model allow-list (mode %v)", [lib.display(project), mp.mode]),
		{"mode": mp.mode, "model_ids": object.get(mp, "model_ids", [])},
	)
}

actions(gpt) := [t | some t in gpt.tools; t.type == "custom_action"]

# METADATA
# title: "OpenAI: GPT custom action without authentication"
# description: >-
#   A custom action of the GPT calls its API with no authentication
#   (auth_type none): the API behind it is open to anyone who finds it, and
#   the GPT cannot prove who is calling.
# custom:
#   finding_type_id: 0ea4f384-454d-4b6b-a474-b57d062a06ac
#   severity: high
#   category: Tools and agents
#   enterprise_required: true
#   remediation: >-
#     Protect the action's API and configure the action with API key or
#     OAuth authentication, or remove the action.
#   sources: [gpts]
#   frameworks:
#     cis-v8: ["16.1", "6.3"]
#     nist-csf-2.0: [PR.AA-03]
#     iso-27001-2022: [A.8.5, A.8.26]
#     soc2-2017: [CC6.1, CC6.6]
#     owasp-llm-2025: [LLM06:2025]
deny contains finding if {
	some gpt in input.gpts
	open := sort({d |
		some t in actions(gpt)
		lib.lower_or_null(t.auth_type) == "none"
		d := domain_of(t)
	})
	count(open) > 0
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		gpt_resource(gpt),
		sprintf("GPT %q calls %s with no authentication", [lib.display(gpt), concat(", ", open)]),
		{"action_domains": open, "owner_email": object.get(gpt, "owner_email", null)},
	)
}

domain_of(t) := lower(t.action_domain) if is_string(t.action_domain)

else := "an undeclared domain"

allowed_domain(d) if d in config.allowed_action_domains

allowed_domain(d) if {
	some a in config.allowed_action_domains
	endswith(d, concat("", [".", a]))
}

# METADATA
# title: "OpenAI: GPT action calling a domain outside the allowed list"
# description: >-
#   A custom action of the GPT sends conversation data to a domain that is
#   not in allowed_action_domains (subdomains of a listed domain are
#   allowed). Checked only when that list is set.
# custom:
#   finding_type_id: a9f5823f-42e6-4bf2-a37e-58256438c77c
#   severity: medium
#   category: Tools and agents
#   enterprise_required: true
#   remediation: >-
#     Remove the action, or, once the domain is approved, add it to
#     allowed_action_domains; restrict action domains in the workspace's
#     GPT settings.
#   sources: [gpts]
#   config: [allowed_action_domains]
#   frameworks:
#     cis-v8: ["15.1", "13.10"]
#     nist-csf-2.0: [GV.SC-04, PR.DS-02]
#     iso-27001-2022: [A.5.14, A.5.19]
#     soc2-2017: [CC6.6, CC9.2]
#     owasp-llm-2025: [LLM02:2025, LLM06:2025]
deny contains finding if {
	count(config.allowed_action_domains) > 0
	some gpt in input.gpts
	outside := sort({d |
		some t in actions(gpt)
		d := lower(t.action_domain)
		not allowed_domain(d)
	})
	count(outside) > 0
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		gpt_resource(gpt),
		sprintf("GPT %q has actions calling %s, outside the allowed domains", [lib.display(gpt), concat(", ", outside)]),
		{"action_domains": outside},
	)
}

members_by_id := {w.id: w | some w in input.workspace_users}

# members_by_email lists the members under each lower-cased email: two may
# share an address that differs only in case, and a map to one member would
# make the whole evaluation fail on them (an object's keys must be unique).
members_by_email := {e: ws |
	some w in input.workspace_users
	e := lib.lower_or_null(w.email)
	e != null
	ws := [x | some x in input.workspace_users; lib.lower_or_null(x.email) == e]
}

# member_by_email(e) is the member under e, an active one first: of two
# accounts sharing an address, the active one still answers for the GPT.
member_by_email(e) := array.concat(
	[w | some w in members_by_email[e]; not left(w)],
	members_by_email[e],
)[0]

left(w) if lib.lower_or_null(object.get(w, "status", null)) in config.inactive_workspace_statuses

# owner_member(gpt) is the workspace member who owns the GPT, by id, else
# by email.
owner_member(gpt) := w if {
	w := members_by_id[gpt.owner_id]
} else := w if {
	w := member_by_email(lower(gpt.owner_email))
}

# owner_gone(gpt) says why a GPT's owner is no longer an active member.
owner_gone(gpt) := "is no longer a member of the workspace" if {
	has_owner(gpt)
	not owner_member(gpt)
} else := sprintf("is %s in the workspace", [lower(w.status)]) if {
	w := owner_member(gpt)
	lib.lower_or_null(object.get(w, "status", null)) in config.inactive_workspace_statuses
}

has_owner(gpt) if is_string(gpt.owner_id)

has_owner(gpt) if is_string(gpt.owner_email)

owner_name(gpt) := gpt.owner_email if is_string(gpt.owner_email)

else := gpt.owner_id

# METADATA
# title: "OpenAI: GPT whose owner is no longer an active workspace member"
# description: >-
#   The GPT's owner has left the workspace or been deactivated. Nobody
#   answers for its instructions, actions and sharing, and nobody will
#   notice when it misbehaves.
# custom:
#   finding_type_id: bb0fa2c5-68ff-4032-97ed-6ecaac7418ea
#   severity: medium
#   category: Tools and agents
#   enterprise_required: true
#   remediation: >-
#     Transfer the GPT to a current member who takes responsibility for it,
#     or unpublish and delete it.
#   sources: [gpts, workspace_users]
#   config: [inactive_workspace_statuses]
#   frameworks:
#     cis-v8: ["1.1", "5.3"]
#     nist-csf-2.0: [ID.AM-08, PR.AA-01]
#     iso-27001-2022: [A.5.9, A.6.5]
#     soc2-2017: [CC6.2]
#     owasp-llm-2025: [LLM03:2025]
deny contains finding if {
	lib.collected("workspace_users")
	some gpt in input.gpts
	why := owner_gone(gpt)
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		gpt_resource(gpt),
		sprintf("GPT %q belongs to %s, who %s", [lib.display(gpt), owner_name(gpt), why]),
		{"owner_id": object.get(gpt, "owner_id", null), "owner_email": object.get(gpt, "owner_email", null)},
	)
}

# workspace_items are the workspace's agents and plugins, with their kind.
workspace_items contains ["agent", a] if some a in input.agents

workspace_items contains ["plugin", p] if some p in input.plugins

# METADATA
# title: "OpenAI: Workspace agent or plugin whose owner is no longer an active member"
# description: >-
#   A ChatGPT workspace agent or plugin belongs to someone who has left the
#   workspace or been deactivated. Nobody answers for what it does and
#   reaches, yet it keeps running for the people who use it.
# custom:
#   finding_type_id: 5e3d9115-9eae-40db-9596-18378d47738a
#   severity: medium
#   category: Tools and agents
#   enterprise_required: true
#   remediation: >-
#     Hand the agent or plugin to a current member who takes responsibility
#     for it, or switch it off and delete it.
#   sources: [agents, plugins, workspace_users]
#   config: [inactive_workspace_statuses]
#   frameworks:
#     cis-v8: ["1.1", "5.3"]
#     nist-csf-2.0: [ID.AM-08, PR.AA-01]
#     iso-27001-2022: [A.5.9, A.6.5]
#     soc2-2017: [CC6.2]
#     owasp-llm-2025: [LLM06:2025]
deny contains finding if {
	lib.collected("workspace_users")
	some [kind, item] in workspace_items
	why := owner_gone(item)
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		{"type": kind, "id": item.id, "name": object.get(item, "name", null)},
		sprintf("Workspace %s %q belongs to %s, who %s", [kind, lib.display(item), owner_name(item), why]),
		{"owner_id": object.get(item, "owner_id", null), "owner_email": object.get(item, "owner_email", null)},
	)
}

editors(gpt) := sort([r_name(r) | some r in object.get(gpt, "recipients", []); object.get(r, "can_write", null) == true])

r_name(r) := r.email if is_string(r.email)

else := r.id

# METADATA
# title: "OpenAI: GPT editable by too many people"
# description: >-
#   More people than max_gpt_editors may change the GPT's instructions,
#   knowledge and actions. Each editor can turn the GPT against everyone
#   who uses it.
# custom:
#   finding_type_id: 6bb079ae-f60a-4c5b-b581-9f7adb4325e4
#   severity: low
#   category: Tools and agents
#   enterprise_required: true
#   remediation: >-
#     Share the GPT with "can use" rather than "can edit" with everyone but
#     its few maintainers.
#   sources: [gpts]
#   config: [max_gpt_editors]
#   frameworks:
#     cis-v8: ["6.8"]
#     nist-csf-2.0: [PR.AA-05]
#     iso-27001-2022: [A.5.15, A.8.2]
#     soc2-2017: [CC6.3, CC8.1]
#     owasp-llm-2025: [LLM04:2025]
deny contains finding if {
	some gpt in input.gpts
	eds := editors(gpt)
	count(eds) > config.max_gpt_editors
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		gpt_resource(gpt),
		sprintf("GPT %q can be edited by %d people besides its owner (at most %d)", [lib.display(gpt), count(eds), config.max_gpt_editors]),
		{"editors": eds},
	)
}
