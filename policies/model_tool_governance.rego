# Model and tool governance: what the custom GPTs of the ChatGPT Enterprise
# workspace can reach beyond the conversation. Reads the tools of each GPT's
# live configuration, normalized by the collector.
package openai.model_tool_governance

import data.openai.lib

# tools_of(gpt, kind) is the set of tools of the given normalized kind.
tools_of(gpt, kind) := [t | some t in gpt.tools; t.type == kind]

# METADATA
# title: "OpenAI: GPT with Custom Actions enabled"
# description: >-
#   The GPT's live configuration has a custom action: it calls an external
#   API described by an OpenAPI document, sending conversation data to that
#   domain, possibly with stored credentials.
# custom:
#   finding_type_id: 5a2995f5-0cc1-4af3-9045-cdf7e6601f7b
#   severity: high
#   category: Model and tool governance
#   enterprise_required: true
#   remediation: >-
#     Review each action's domain, authentication and privacy policy with the
#     GPT's owner. Remove actions that are not approved, or restrict the GPT's
#     sharing to the people who need it.
#   sources: [gpts]
#   frameworks:
#     cis-v8: ["2.5", "15.1"]
#     nist-csf-2.0: [GV.SC-04, PR.DS-02]
#     iso-27001-2022: [A.5.14, A.5.19, A.5.23]
#     soc2-2017: [CC6.6, CC9.2]
#     owasp-llm-2025: [LLM06:2025, LLM02:2025]
deny contains finding if {
	some gpt in input.gpts
	some tool in gpt.tools
	tool.type == "custom_action"

	# One finding per GPT, naming every action: the body holds once per
	# action, each time with the same finding, and a set keeps one.
	actions := tools_of(gpt, "custom_action")
	domains := sort({d | some t in actions; d := t.action_domain; is_string(d)})
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		{"type": "gpt", "id": gpt.id, "name": gpt.name},
		sprintf("GPT %q has %d custom action(s) calling %s", [lib.display(gpt), count(actions), domain_list(domains)]),
		{"action_domains": domains, "owner_email": object.get(gpt, "owner_email", null)},
	)
}

domain_list(domains) := concat(", ", domains) if count(domains) > 0

else := "an undeclared domain"

# METADATA
# title: "OpenAI: GPT with Code Interpreter enabled"
# description: >-
#   The GPT's live configuration has the code interpreter tool: it runs code
#   over files users upload and the GPT's knowledge files.
# custom:
#   finding_type_id: d368036a-be90-49f0-b7da-5092a3f8beb4
#   severity: medium
#   category: Model and tool governance
#   enterprise_required: true
#   remediation: >-
#     Confirm that the GPT needs to run code. If not, turn Code Interpreter
#     off in the GPT's configuration.
#   sources: [gpts]
#   frameworks:
#     cis-v8: ["2.7", "4.8"]
#     nist-csf-2.0: [PR.PS-01]
#     iso-27001-2022: [A.8.9, A.8.26]
#     soc2-2017: [CC6.8]
#     owasp-llm-2025: [LLM05:2025, LLM06:2025]
deny contains finding if {
	some gpt in input.gpts
	some tool in gpt.tools
	tool.type == "code_interpreter"
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		{"type": "gpt", "id": gpt.id, "name": gpt.name},
		sprintf("GPT %q has Code Interpreter enabled", [lib.display(gpt)]),
		{"owner_email": object.get(gpt, "owner_email", null)},
	)
}

# METADATA
# title: "OpenAI: GPT with web browsing enabled"
# description: >-
#   The GPT's live configuration has the web browsing tool: it fetches
#   content from the internet into conversations, and queries it builds from
#   conversation content leave the workspace.
# custom:
#   finding_type_id: 3af14358-5ff2-4502-921e-7ffd9a310093
#   severity: medium
#   category: Model and tool governance
#   enterprise_required: true
#   remediation: >-
#     Confirm that the GPT needs live web access. If not, turn web browsing
#     off in the GPT's configuration.
#   sources: [gpts]
#   frameworks:
#     cis-v8: ["4.8", "9.3"]
#     nist-csf-2.0: [PR.PS-01, PR.DS-02]
#     iso-27001-2022: [A.8.9, A.8.23]
#     soc2-2017: [CC6.6]
#     owasp-llm-2025: [LLM01:2025, LLM02:2025]
deny contains finding if {
	some gpt in input.gpts
	some tool in gpt.tools
	tool.type == "web_browsing"
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		{"type": "gpt", "id": gpt.id, "name": gpt.name},
		sprintf("GPT %q has web browsing enabled", [lib.display(gpt)]),
		{"owner_email": object.get(gpt, "owner_email", null)},
	)
}
