package openai.tools_agents_test

import data.openai.testdata_test as td
import data.openai.tools_agents.deny

hosted_tool := "b146bdc5-c1a7-4145-83a2-efdf1a36efc8"

no_allow_list := "0ccdd1d4-97e2-4394-8b99-024b69ba085a"

no_auth := "0ea4f384-454d-4b6b-a474-b57d062a06ac"

action_domain := "a9f5823f-42e6-4bf2-a37e-58256438c77c"

owner_gone := "bb0fa2c5-68ff-4032-97ed-6ecaac7418ea"

editors := "6bb079ae-f60a-4c5b-b581-9f7adb4325e4"

agent_owner_gone := "5e3d9115-9eae-40db-9596-18378d47738a"

complete := {"status": "complete", "items": 1, "pages": 1}

with_project(overrides) := td.inventory({"projects": [td.project(overrides)]})

tools(mcp, web, ci, files) := {
	"mcp": {"enabled": mcp}, "web_search": {"enabled": web}, "code_interpreter": {"enabled": ci},
	"file_search": {"enabled": files}, "image_generation": {"enabled": false},
}

# --- Hosted tools --------------------------------------------------------

test_one_finding_per_enabled_flagged_tool if {
	findings := deny with input as with_project({"hosted_tool_permissions": tools(true, true, false, true)})
	keys := {f.key | some f in findings; f.finding_type_id == hosted_tool}
	keys == {"mcp", "web_search"}
}

test_disabled_tools_do_not_fire if {
	findings := deny with input as with_project({"hosted_tool_permissions": tools(false, false, false, true)})
	td.ids(findings, hosted_tool) == set()
}

test_unknown_enabled_state_does_not_fire if {
	findings := deny with input as with_project({"hosted_tool_permissions": {"mcp": {"enabled": null}}})
	td.ids(findings, hosted_tool) == set()
}

test_flagged_tools_come_from_config if {
	findings := deny with input as with_project({"hosted_tool_permissions": tools(false, false, false, true)})
		with data.openai.config.flagged_hosted_tools as {"file_search"}
	{f.key | some f in findings; f.finding_type_id == hosted_tool} == {"file_search"}
}

test_archived_project_tools_do_not_fire if {
	findings := deny with input as with_project({"status": "archived", "hosted_tool_permissions": tools(true, true, true, true)})
	count(findings) == 0
}

# --- Model allow-list ------------------------------------------------------

test_deny_list_fires if {
	findings := deny with input as with_project({"model_permissions": {"mode": "deny_list", "model_ids": []}})
	td.ids(findings, no_allow_list) == {"proj_a"}
	some f in findings
	f.severity == "low"
}

test_allow_list_does_not_fire if {
	findings := deny with input as with_project({"model_permissions": {"mode": "allow_list", "model_ids": ["gpt-4.1"]}})
	td.ids(findings, no_allow_list) == set()
}

test_model_permissions_not_collected_do_not_fire if {
	findings := deny with input as with_project({})
	count(findings) == 0
}

# --- Actions ---------------------------------------------------------------

action(domain, auth) := object.union(td.tool("custom_action"), {"action_domain": domain, "auth_type": auth})

with_gpt(overrides) := td.inventory({"gpts": [td.gpt(overrides)]})

test_action_without_auth_fires if {
	findings := deny with input as with_gpt({"tools": [action("open.example.com", "none"), action("safe.example.com", "oauth")]})
	td.ids(findings, no_auth) == {"g-test"}
	some f in findings
	f.finding_type_id == no_auth
	f.evidence.action_domains == ["open.example.com"]
}

test_action_with_auth_does_not_fire if {
	findings := deny with input as with_gpt({"tools": [action("a.example.com", "api_key")]})
	td.ids(findings, no_auth) == set()
}

test_action_with_unknown_auth_does_not_fire if {
	findings := deny with input as with_gpt({"tools": [action("a.example.com", null)]})
	td.ids(findings, no_auth) == set()
}

test_action_domain_outside_list_fires if {
	findings := deny with input as with_gpt({"tools": [action("api.evil.test", "oauth"), action("api.example.com", "oauth")]})
		with data.openai.config.allowed_action_domains as {"example.com"}
	td.ids(findings, action_domain) == {"g-test"}
	some f in findings
	f.finding_type_id == action_domain
	f.evidence.action_domains == ["api.evil.test"]
}

test_subdomain_and_exact_domain_are_allowed if {
	findings := deny with input as with_gpt({"tools": [action("example.com", "oauth"), action("API.example.com", "oauth")]})
		with data.openai.config.allowed_action_domains as {"example.com"}
	td.ids(findings, action_domain) == set()
}

test_lookalike_domain_is_not_a_subdomain if {
	findings := deny with input as with_gpt({"tools": [action("badexample.com", "oauth")]})
		with data.openai.config.allowed_action_domains as {"example.com"}
	td.ids(findings, action_domain) == {"g-test"}
}

test_action_domains_not_checked_when_unset if {
	findings := deny with input as with_gpt({"tools": [action("api.evil.test", "oauth")]})
	td.ids(findings, action_domain) == set()
}

# --- GPT owner ---------------------------------------------------------------

with_owner(owner_id, members) := td.inventory({
	"sources": {"workspace_users": complete},
	"gpts": [td.gpt({"owner_id": owner_id, "owner_email": "Owner@Example.com"})],
	"workspace_users": members,
})

test_owner_who_left_fires if {
	findings := deny with input as with_owner("u-1", [{"id": "u-2", "email": "someone@example.com", "status": "active"}])
	td.ids(findings, owner_gone) == {"g-test"}
	some f in findings
	contains(f.message, "no longer a member")
}

test_deactivated_owner_fires if {
	findings := deny with input as with_owner("u-1", [{"id": "u-1", "email": "owner@example.com", "status": "Deactivated"}])
	td.ids(findings, owner_gone) == {"g-test"}
	some f in findings
	contains(f.message, "is deactivated")
}

test_active_owner_matched_by_email_does_not_fire if {
	findings := deny with input as with_owner("u-other-id", [{"id": "u-1", "email": "owner@example.com", "status": "active"}])
	td.ids(findings, owner_gone) == set()
}

# Two members whose emails differ only in case: the active one answers for
# the GPT, and the lookup by email must not make the evaluation fail.
test_owner_email_shared_by_an_active_member_does_not_fire if {
	findings := deny with input as with_owner("u-other-id", [
		{"id": "u-1", "email": "OWNER@example.com", "status": "deactivated"},
		{"id": "u-2", "email": "owner@example.com", "status": "active"},
	])
	td.ids(findings, owner_gone) == set()
}

test_owner_email_shared_only_by_members_who_left_fires if {
	findings := deny with input as with_owner("u-other-id", [
		{"id": "u-1", "email": "OWNER@example.com", "status": "deactivated"},
		{"id": "u-2", "email": "owner@example.com", "status": "inactive"},
	])
	td.ids(findings, owner_gone) == {"g-test"}
}

test_owner_not_judged_without_complete_members if {
	inv := object.union(with_owner("u-1", []), {"sources": {"workspace_users": {"status": "skipped", "items": 0, "pages": 0}}})
	findings := deny with input as inv
	td.ids(findings, owner_gone) == set()
}

# --- Agent and plugin owners -------------------------------------------------

with_agents(agents, plugins, members) := td.inventory({
	"sources": {"workspace_users": complete, "agents": complete, "plugins": complete},
	"agents": agents,
	"plugins": plugins,
	"workspace_users": members,
})

test_agent_and_plugin_of_departed_owners_fire if {
	findings := deny with input as with_agents(
		[{"id": "agent-gone", "name": "Ops", "owner_id": "u-9"}, {"id": "agent-kept", "owner_email": "Active@Example.com"}],
		[{"id": "plugin-deactivated", "owner_id": "u-2"}],
		[{"id": "u-1", "email": "active@example.com", "status": "active"}, {"id": "u-2", "email": "d@example.com", "status": "deactivated"}],
	)
	td.ids(findings, agent_owner_gone) == {"agent-gone", "plugin-deactivated"}
	some f in findings
	f.resource == {"type": "plugin", "id": "plugin-deactivated", "name": null}
	contains(f.message, "is deactivated")
}

test_agent_without_owner_does_not_fire if {
	findings := deny with input as with_agents([{"id": "agent-x", "name": "No owner"}], [], [])
	td.ids(findings, agent_owner_gone) == set()
}

test_agent_owner_not_judged_without_complete_members if {
	inv := object.union(
		with_agents([{"id": "agent-gone", "owner_id": "u-9"}], [], []),
		{"sources": {"workspace_users": {"status": "partial", "items": 0, "pages": 0}}},
	)
	findings := deny with input as inv
	td.ids(findings, agent_owner_gone) == set()
}

test_no_agents_collected_does_not_fire if {
	findings := deny with input as td.inventory({"sources": {"workspace_users": complete}, "workspace_users": []})
	td.ids(findings, agent_owner_gone) == set()
}

# --- Editors -----------------------------------------------------------------

recipients(n) := [{"id": sprintf("u-%d", [i]), "email": sprintf("e%d@example.com", [i]), "can_write": true} | some i in numbers.range(1, n)]

test_four_editors_fire if {
	findings := deny with input as with_gpt({"recipients": array.concat(recipients(4), [{"id": "r", "can_write": false}])})
	td.ids(findings, editors) == {"g-test"}
	some f in findings
	contains(f.message, "4 people")
}

test_three_editors_are_the_boundary if {
	findings := deny with input as with_gpt({"recipients": recipients(3)})
	td.ids(findings, editors) == set()
}
