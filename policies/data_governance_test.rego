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
