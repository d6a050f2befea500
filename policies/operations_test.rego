package openai.operations_test

import data.openai.operations.deny
import data.openai.testdata_test as td

audit := "ec0de752-7dd6-4483-bd5d-35b3899963c3"

spend := "96915f30-ad6f-4b36-be8a-b871ed0fd651"

cert_expiry := "75769463-3ecb-4c62-b4f6-0401f1b4145c"

complete := {"status": "complete", "items": 1, "pages": 1}

org(overrides) := object.union({"id": "org-test", "name": "Test"}, overrides)

# --- Audit logging -----------------------------------------------------------

test_audit_logging_off_fires if {
	findings := deny with input as td.inventory({"organization": org({"audit_logging_enabled": false})})
	td.ids(findings, audit) == {"org-test"}
}

test_audit_logging_on_does_not_fire if {
	findings := deny with input as td.inventory({"organization": org({"audit_logging_enabled": true})})
	count(findings) == 0
}

test_audit_logging_unknown_does_not_fire if {
	findings := deny with input as td.inventory({})
	count(findings) == 0
}

# --- Spend limits ------------------------------------------------------------

limit(status) := {"threshold_amount": 1000, "currency": "USD", "interval": "month", "enforcement_status": status}

spend_inv(org_limit, projects) := td.inventory({
	"sources": {"organization_spend_limit": complete, "project_spend_limits": complete},
	"organization": org(org_limit),
	"projects": projects,
})

test_no_org_limit_fires_for_org_and_projects_without_one if {
	projects := [td.project({}), td.project({"id": "proj_b", "spend_limit": limit("enforcing")})]
	findings := deny with input as spend_inv({}, projects)
	td.ids(findings, spend) == {"org-test", "proj_a"}
}

test_inactive_org_limit_fires if {
	findings := deny with input as spend_inv({"spend_limit": limit("inactive")}, [])
	td.ids(findings, spend) == {"org-test"}
}

test_enforcing_org_limit_covers_projects if {
	findings := deny with input as spend_inv({"spend_limit": limit("enforcing")}, [td.project({})])
	td.ids(findings, spend) == set()
}

test_spend_limit_not_collected_does_not_fire if {
	findings := deny with input as td.inventory({"projects": [td.project({})]})
	count(findings) == 0
}

# --- Certificates ------------------------------------------------------------

cert(expires_at, active) := {"id": "cert_1", "name": "client-ca", "created_at": td.now - (300 * td.day), "valid_at": td.now - (300 * td.day), "expires_at": expires_at, "active": active}

test_expired_active_certificate_fires if {
	findings := deny with input as td.inventory({"certificates": [cert(td.now - (2 * td.day), true)]})
	td.ids(findings, cert_expiry) == {"cert_1"}
	some f in findings
	contains(f.message, "expired 2 days ago")
}

test_certificate_expiring_soon_fires if {
	findings := deny with input as td.inventory({"certificates": [cert(td.now + (29 * td.day), true)]})
	td.ids(findings, cert_expiry) == {"cert_1"}
	some f in findings
	contains(f.message, "expires in 29 days")
}

test_certificate_at_the_boundary_does_not_fire if {
	findings := deny with input as td.inventory({"certificates": [cert(td.now + (30 * td.day), true)]})
	td.ids(findings, cert_expiry) == set()
}

test_inactive_expired_certificate_does_not_fire if {
	findings := deny with input as td.inventory({"certificates": [cert(td.now - td.day, false)]})
	td.ids(findings, cert_expiry) == set()
}

test_project_certificate_fires if {
	inv := td.inventory({"projects": [td.project({"certificates": [cert(td.now + td.day, true)]})]})
	findings := deny with input as inv
	td.ids(findings, cert_expiry) == {"cert_1"}
	some f in findings
	contains(f.message, "project proj_a")
}

test_expiry_window_comes_from_config if {
	findings := deny with input as td.inventory({"certificates": [cert(td.now + (45 * td.day), true)]})
		with data.openai.config.certificate_expiry_days as 60
	td.ids(findings, cert_expiry) == {"cert_1"}
}
