package openai.publishing_sharing_test

import data.openai.publishing_sharing.deny
import data.openai.testdata_test as td

gpt_store := "c69adfa6-2362-4939-86ec-49ff34093cfd"

public_link := "de460c9f-55c0-4131-9cdf-e4c3b84f9549"

with_visibility(v) := td.inventory({"gpts": [td.gpt({"visibility": v, "visibility_raw": v})]})

test_gpt_store_fires if {
	findings := deny with input as with_visibility("gpt-store")
	td.ids(findings, gpt_store) == {"g-test"}
	td.ids(findings, public_link) == set()
	some f in findings
	f.severity == "high"
	f.evidence.visibility == "gpt-store"
}

test_public_link_fires if {
	findings := deny with input as with_visibility("anyone-with-link")
	td.ids(findings, public_link) == {"g-test"}
	td.ids(findings, gpt_store) == set()
}

# workspace-with-link is the boundary of the public-link finding: a link that
# only works inside the workspace is not public.
test_workspace_with_link_does_not_fire if {
	findings := deny with input as with_visibility("workspace-with-link")
	count(findings) == 0
}

test_private_visibilities_do_not_fire if {
	every v in ["workspace", "invite-only", "unknown"] {
		count(deny) == 0 with input as with_visibility(v)
	}
}

test_visibility_list_is_config if {
	findings := deny with input as with_visibility("workspace")
		with data.openai.config.public_link_visibilities as {"anyone-with-link", "workspace"}
	td.ids(findings, public_link) == {"g-test"}
}
