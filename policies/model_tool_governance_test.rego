package openai.model_tool_governance_test

import data.openai.model_tool_governance.deny
import data.openai.testdata_test as td

custom_actions := "5a2995f5-0cc1-4af3-9045-cdf7e6601f7b"

code_interpreter := "d368036a-be90-49f0-b7da-5092a3f8beb4"

web_browsing := "3af14358-5ff2-4502-921e-7ffd9a310093"

with_tools(tools) := td.inventory({"gpts": [td.gpt({"tools": tools})]})

test_custom_action_fires if {
	action := object.union(td.tool("custom_action"), {"action_domain": "api.example.net", "auth_type": "oauth"})
	findings := deny with input as with_tools([action, td.tool("canvas")])
	td.ids(findings, custom_actions) == {"g-test"}
	some f in findings
	f.finding_type_id == custom_actions
	f.severity == "high"
	f.resource == {"type": "gpt", "id": "g-test", "name": "Helper"}
	f.evidence.action_domains == ["api.example.net"]
	contains(f.message, "api.example.net")
}

test_custom_actions_one_finding_per_gpt if {
	a := object.union(td.tool("custom_action"), {"action_domain": "a.example.net"})
	b := object.union(td.tool("custom_action"), {"action_domain": "b.example.net"})
	findings := deny with input as with_tools([a, b])
	matching := [f | some f in findings; f.finding_type_id == custom_actions]
	count(matching) == 1
	matching[0].evidence.action_domains == ["a.example.net", "b.example.net"]
}

test_custom_action_without_domain_fires if {
	findings := deny with input as with_tools([td.tool("custom_action")])
	some f in findings
	f.finding_type_id == custom_actions
	contains(f.message, "an undeclared domain")
}

test_other_tools_do_not_fire_custom_action if {
	findings := deny with input as with_tools([td.tool("canvas"), td.tool("memory"), td.tool("image_generation"), td.tool("other")])
	count(findings) == 0
}

test_code_interpreter_fires if {
	findings := deny with input as with_tools([td.tool("code_interpreter")])
	td.ids(findings, code_interpreter) == {"g-test"}
	td.ids(findings, web_browsing) == set()
	some f in findings
	f.severity == "medium"
}

test_web_browsing_fires if {
	findings := deny with input as with_tools([td.tool("web_browsing")])
	td.ids(findings, web_browsing) == {"g-test"}
	td.ids(findings, code_interpreter) == set()
}

test_gpt_without_tools_does_not_fire if {
	findings := deny with input as with_tools([])
	count(findings) == 0
}

# The boundary of a tool rule is the normalized type: the raw string does
# not count, so a GPT whose unknown tool was normalized to "other" is clean.
test_raw_type_is_not_matched if {
	findings := deny with input as with_tools([{"type": "other", "raw_type": "code_interpreter"}])
	count(findings) == 0
}

test_no_gpts_no_findings if {
	findings := deny with input as td.inventory({})
	count(findings) == 0
}
