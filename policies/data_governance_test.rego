package openai.data_governance_test

import data.openai.data_governance.deny
import data.openai.testdata_test as td

retention := "c6a653b3-d86e-4710-aadf-a42a383b6d1a"

residency := "468386e1-6bae-4906-8fbb-e5d55fbf0e28"

org_with(retention_type) := td.inventory({"organization": {"id": "org-test", "name": "Test", "data_retention": {"type": retention_type}}})

with_project(overrides) := td.inventory({"projects": [td.project(overrides)]})

test_org_standard_retention_outside_allowed_fires if {
	findings := deny with input as org_with("none")
	td.ids(findings, retention) == {"org-test"}
	some f in findings
	f.resource.type == "organization"
	f.evidence.data_retention == "none"
}

test_org_zero_retention_does_not_fire if {
	findings := deny with input as org_with("zero_data_retention")
	count(findings) == 0
}

test_unknown_new_retention_type_fires if {
	findings := deny with input as org_with("some_new_mode")
	td.ids(findings, retention) == {"org-test"}
}

test_project_none_fires if {
	findings := deny with input as with_project({"data_retention": {"type": "none"}})
	td.ids(findings, retention) == {"proj_a"}
}

test_project_on_org_default_does_not_fire if {
	findings := deny with input as with_project({"data_retention": {"type": "organization_default"}})
	count(findings) == 0
}

test_archived_project_does_not_fire if {
	findings := deny with input as with_project({"status": "archived", "data_retention": {"type": "none"}})
	count(findings) == 0
}

test_retention_not_collected_does_not_fire if {
	findings := deny with input as with_project({})
	count(findings) == 0
}

test_allowed_retention_comes_from_config if {
	findings := deny with input as org_with("modified_abuse_monitoring")
		with data.openai.config.allowed_data_retention as {"zero_data_retention"}
	td.ids(findings, retention) == {"org-test"}
}

test_residency_outside_allowed_fires if {
	findings := deny with input as with_project({"residency": "GLOBAL"})
		with data.openai.config.allowed_residencies as {"EU_STORAGE_PROCESSING"}
	td.ids(findings, residency) == {"proj_a"}
	some f in findings
	contains(f.message, "GLOBAL")
}

test_residency_inside_allowed_does_not_fire if {
	findings := deny with input as with_project({"residency": "EU_STORAGE_PROCESSING"})
		with data.openai.config.allowed_residencies as {"EU_STORAGE_PROCESSING"}
	td.ids(findings, residency) == set()
}

test_residency_not_checked_when_unset if {
	findings := deny with input as with_project({"residency": "GLOBAL"})
	td.ids(findings, residency) == set()
}

shared_project := "a853064b-3382-413b-a3c5-bd110289eed8"

with_chatgpt_project(overrides) := td.inventory({"chatgpt_projects": [td.chatgpt_project(overrides)]})

shared_as(v) := with_chatgpt_project({"visibility": v, "visibility_raw": v})

test_project_shared_by_public_link_fires if {
	findings := deny with input as shared_as("anyone-with-link")
	td.ids(findings, shared_project) == {"g-p-test"}
	some f in findings
	f.resource == {"type": "chatgpt_project", "id": "g-p-test", "name": "Test Project"}
	f.evidence == {"visibility": "anyone-with-link", "owner_email": "a@example.com", "recipients": 0}
	contains(f.message, "by link with anyone who has the link")
}

# workspace-with-link is the boundary: a link that only works inside the
# workspace still reaches people the owner did not name.
test_project_shared_by_workspace_link_fires if {
	findings := deny with input as shared_as("workspace-with-link")
	td.ids(findings, shared_project) == {"g-p-test"}
	some f in findings
	contains(f.message, "by link with anyone in the workspace")
}

test_project_listings_fire if {
	every v in ["workspace", "gpt-store"] {
		td.ids(deny, shared_project) == {"g-p-test"} with input as shared_as(v)
	}
}

test_private_project_does_not_fire if {
	count(deny) == 0 with input as shared_as("invite-only")
}

test_project_shared_with_named_people_does_not_fire if {
	findings := deny with input as with_chatgpt_project({"recipients": [{"id": "wsu-b", "email": "b@example.com", "can_read": true}]})
	count(findings) == 0
}

test_unknown_project_visibility_fires if {
	findings := deny with input as with_chatgpt_project({"visibility": "unknown", "visibility_raw": "org-with-link"})
	td.ids(findings, shared_project) == {"g-p-test"}
	some f in findings
	f.evidence.visibility == "org-with-link"
	contains(f.message, "which this version does not know")
}

test_project_without_visibility_does_not_fire if {
	count(deny) == 0 with input as with_chatgpt_project({"visibility": "unknown", "visibility_raw": null})
}

test_projects_not_collected_do_not_fire if {
	count(deny) == 0 with input as td.inventory({})
}

test_allowed_project_visibilities_come_from_config if {
	count(deny) == 0 with input as shared_as("workspace-with-link")
		with data.openai.config.allowed_chatgpt_project_visibilities as {"invite-only", "workspace-with-link"}
	td.ids(deny, shared_project) == {"g-p-test"} with input as shared_as("invite-only")
		with data.openai.config.allowed_chatgpt_project_visibilities as set()
}
