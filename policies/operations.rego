# Operations: the organization's own safety nets. Audit logging, hard
# spend limits, and the mTLS certificates clients authenticate with.
package openai.operations

import data.openai.config
import data.openai.lib

org_resource := {"type": "organization", "id": input.organization.id, "name": object.get(input.organization, "name", null)}

# METADATA
# title: "OpenAI: Audit logging not enabled"
# description: >-
#   The Admin API refused the audit-log list because audit logging was
#   never switched on. Logins, key creation, invites and setting changes
#   leave no record, and inactivity cannot be told from logins.
# custom:
#   finding_type_id: ec0de752-7dd6-4483-bd5d-35b3899963c3
#   severity: high
#   category: Operations
#   enterprise_required: false
#   remediation: >-
#     Turn on audit logging (Organization settings > Data controls > Audit
#     logging); it cannot be turned off again.
#   sources: [audit_logs]
#   frameworks:
#     cis-v8: ["8.2", "8.5"]
#     nist-csf-2.0: [PR.PS-04, DE.CM-03]
#     iso-27001-2022: [A.8.15, A.8.16]
#     soc2-2017: [CC7.2]
deny contains finding if {
	input.organization.audit_logging_enabled == false
	finding := lib.finding_with_evidence(
		rego.metadata.rule(),
		org_resource,
		"Audit logging is not enabled for the organization",
		{"audit_logs": object.get(input.sources, "audit_logs", null)},
	)
}

enforcing(holder) if lib.lower_or_null(holder.spend_limit.enforcement_status) == "enforcing"

# METADATA
# title: "OpenAI: No enforcing hard spend limit"
# description: >-
#   The organization has no hard spend limit that is enforcing, and neither
#   has an active project (reported per project only when the organization
#   has none either). A leaked key or a runaway loop then spends without
#   bound.
# custom:
#   finding_type_id: 96915f30-ad6f-4b36-be8a-b871ed0fd651
#   severity: medium
#   category: Operations
#   enterprise_required: false
#   remediation: >-
#     Set a hard spend limit on the organization (Organization settings >
#     Limits), and on projects whose budget is smaller.
#   sources: [organization_spend_limit, project_spend_limits]
#   frameworks:
#     cis-v8: ["4.1"]
#     nist-csf-2.0: [PR.IR-04]
#     iso-27001-2022: [A.8.6]
#     soc2-2017: [A1.1]
#     owasp-llm-2025: [LLM10:2025]
deny contains finding if {
	lib.collected("organization_spend_limit")
	not enforcing(input.organization)
	some x in unlimited
	finding := lib.finding_with_evidence(rego.metadata.rule(), x.resource, x.message, {"spend_limit": x.limit})
}

# unlimited is the organization and the active projects without an
# enforcing hard spend limit.
unlimited contains {
	"resource": org_resource,
	"message": "The organization has no enforcing hard spend limit",
	"limit": object.get(input.organization, "spend_limit", null),
}

unlimited contains x if {
	lib.collected("project_spend_limits")
	some project in input.projects
	project.status != "archived"
	not enforcing(project)
	x := {
		"resource": {"type": "project", "id": project.id, "name": project.name},
		"message": sprintf("Project %q has no enforcing hard spend limit, and neither has the organization", [lib.display(project)]),
		"limit": object.get(project, "spend_limit", null),
	}
}

expiry_cutoff := lib.now + (config.certificate_expiry_days * lib.day)

# certificates are the organization's and each active project's, with
# where they were found.
certificates contains c if {
	some cert in input.certificates
	c := {"cert": cert, "scope": "organization"}
}

certificates contains c if {
	some project in input.projects
	project.status != "archived"
	some cert in object.get(project, "certificates", [])
	c := {"cert": cert, "scope": sprintf("project %s", [project.id])}
}

expiry(cert) := sprintf("expired %d days ago", [lib.age_days(cert.expires_at)]) if {
	cert.expires_at <= lib.now
} else := sprintf("expires in %d days", [days]) if {
	cert.expires_at < expiry_cutoff
	left := cert.expires_at - lib.now
	days := (left - (left % lib.day)) / lib.day
}

# METADATA
# title: "OpenAI: mTLS certificate expired or expiring while active"
# description: >-
#   An active mTLS certificate of the organization or a project has expired,
#   or expires within certificate_expiry_days. Clients that authenticate
#   with it will be cut off, or are kept working by a certificate that
#   should no longer be trusted.
# custom:
#   finding_type_id: 75769463-3ecb-4c62-b4f6-0401f1b4145c
#   severity: high
#   category: Operations
#   enterprise_required: false
#   remediation: >-
#     Upload and activate the renewed certificate, then deactivate and
#     delete the old one (Organization settings > Security > mTLS).
#   sources: [organization_certificates, project_certificates]
#   config: [certificate_expiry_days]
#   frameworks:
#     cis-v8: ["3.10", "12.1"]
#     nist-csf-2.0: [PR.DS-02, PR.AA-03]
#     iso-27001-2022: [A.8.24]
#     soc2-2017: [CC6.1, CC6.7]
deny contains finding if {
	some c in certificates
	c.cert.active == true
	is_number(c.cert.expires_at)
	why := expiry(c.cert)

	# One certificate may be active for the organization and for projects:
	# a finding for each, told apart by where.
	finding := lib.keyed_finding(
		rego.metadata.rule(),
		{"type": "certificate", "id": c.cert.id, "name": object.get(c.cert, "name", null)},
		c.scope,
		sprintf("Active certificate %q (%s) %s", [lib.display(object.union({"name": null}, c.cert)), c.scope, why]),
		{"expires_at": c.cert.expires_at, "scope": c.scope},
	)
}
