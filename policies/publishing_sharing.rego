# Publishing and sharing: custom GPTs reachable from outside the workspace.
# Reads each GPT's normalized sharing visibility.
package openai.publishing_sharing

import data.openai.config
import data.openai.lib

# METADATA
# title: "OpenAI: GPT publicly accessible via GPT Store"
# description: >-
#   The GPT is published in the public GPT Store: anyone with a ChatGPT
#   account can find and use it, and see what its instructions and knowledge
#   reveal.
# custom:
#   finding_type_id: c69adfa6-2362-4939-86ec-49ff34093cfd
#   severity: high
#   category: Publishing and sharing
#   enterprise_required: true
#   remediation: >-
#     Unpublish the GPT from the GPT Store unless publishing it was approved,
#     and restrict GPT Store publishing in the workspace's GPT settings.
#   sources: [gpts]
#   config: [gpt_store_visibilities]
#   frameworks:
#     cis-v8: ["3.3"]
#     nist-csf-2.0: [PR.DS-01, PR.AA-05]
#     iso-27001-2022: [A.5.10, A.5.14]
#     soc2-2017: [CC6.1, C1.1]
#     owasp-llm-2025: [LLM02:2025, LLM07:2025]
deny contains finding if {
	some gpt in input.gpts
	gpt.visibility in config.gpt_store_visibilities
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		{"type": "gpt", "id": gpt.id, "name": gpt.name},
		sprintf("GPT %q is published in the GPT Store", [lib.display(gpt)]),
		{"visibility": gpt.visibility_raw, "owner_email": object.get(gpt, "owner_email", null)},
	)
}

# METADATA
# title: "OpenAI: GPT publicly accessible via public link"
# description: >-
#   The GPT is shared with anyone who has its link, including people outside
#   the workspace. Links travel: in tickets, chats and search indexes.
# custom:
#   finding_type_id: de460c9f-55c0-4131-9cdf-e4c3b84f9549
#   severity: high
#   category: Publishing and sharing
#   enterprise_required: true
#   remediation: >-
#     Change the GPT's sharing to "Anyone in the workspace" or to invited
#     people, and restrict external sharing in the workspace's GPT settings.
#   sources: [gpts]
#   config: [public_link_visibilities]
#   frameworks:
#     cis-v8: ["3.3"]
#     nist-csf-2.0: [PR.DS-01, PR.AA-05]
#     iso-27001-2022: [A.5.10, A.5.14]
#     soc2-2017: [CC6.1, C1.1]
#     owasp-llm-2025: [LLM02:2025, LLM07:2025]
deny contains finding if {
	some gpt in input.gpts
	gpt.visibility in config.public_link_visibilities
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		{"type": "gpt", "id": gpt.id, "name": gpt.name},
		sprintf("GPT %q can be used by anyone with its link", [lib.display(gpt)]),
		{"visibility": gpt.visibility_raw, "owner_email": object.get(gpt, "owner_email", null)},
	)
}
