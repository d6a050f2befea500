# Thresholds and switches of the openai-casb policies.
#
# Change a value here and evaluate again: no rebuild is needed. Every age is
# measured from the inventory's collected_at (or --now), in whole days:
# "more than 90 days" means collected_at - created_at > 90 * 86400, so a key
# created exactly 90 days before collection does not yet count as old.
package openai.config

# An admin API key created more than this many days ago has not been rotated.
admin_key_rotation_days := 90

# A project API key (of a project that is not archived) created more than
# this many days ago has not been rotated.
project_key_rotation_days := 90

# An admin API key that has never been used is unused once it was created
# more than this many days ago (a grace period for newly issued keys).
admin_key_never_used_days := 30

# An admin API key last used more than this many days ago is unused.
admin_key_idle_days := 90

# A project API key that has never been used is unused once it was created
# more than this many days ago.
project_key_never_used_days := 30

# A project API key last used more than this many days ago is unused.
project_key_idle_days := 90

# A user whose last activity is more than this many days old is inactive; a
# user with no recorded activity at all is inactive once added more than this
# many days ago.
inactive_user_days := 90

# A pending invite sent more than this many days ago is stale. A pending
# invite past its own expires_at is stale whatever its age.
stale_invite_days := 30

# Organization roles that make a pending invite high-privilege.
high_privilege_org_roles := {"owner"}

# Project roles that make a pending invite high-privilege when the invite
# grants them on any project.
high_privilege_project_roles := {"owner"}

# Normalized GPT visibilities that publish a GPT in the GPT Store.
gpt_store_visibilities := {"gpt-store"}

# Normalized GPT visibilities that let anyone with the link, inside the
# workspace or not, use the GPT. workspace-with-link stays inside the
# workspace and is not listed.
public_link_visibilities := {"anyone-with-link"}

# DLP profiles: what each groups (detectors), whether it is enabled, and
# how many matches of its detectors in one file make a finding (min_matches,
# 1 when left out; title defaults to the profile's name). DLP is off until a profile is
# enabled here, or for one collection with --dlp (which enables every
# profile of this table and records so in the inventory). Detectors are the
# built-in ones (docs/dlp.md) or custom ones below; a profile of your own
# is one more entry. min_confidence (low, medium or high) is the lowest
# confidence of a match the profile counts: medium leaves out bare digit
# runs that merely pass Luhn and key-shaped strings without their
# provider's marker.
dlp_profiles := {
	"credentials_and_secrets": {
		"title": "Credentials and Secrets",
		"enabled": false,
		"detectors": [
			"openai_api_key", "anthropic_api_key", "google_api_key", "azure_openai_key", "huggingface_token",
			"mistral_api_key", "cohere_api_key", "groq_api_key", "xai_api_key", "perplexity_api_key",
			"openrouter_api_key", "replicate_api_token", "aws_access_key_id", "aws_secret_access_key",
			"github_token", "gitlab_token", "slack_token", "stripe_key", "twilio_key", "sendgrid_api_key",
			"npm_token", "pypi_token", "databricks_token", "connection_string_password", "private_key", "jwt",
		],
		"min_matches": 1,
		"min_confidence": "medium",
	},
	"financial_information": {
		"title": "Financial Information",
		"enabled": false,
		"detectors": ["payment_card", "iban"],
		"min_matches": 1,
		"min_confidence": "medium",
	},
	"national_identifiers": {
		"title": "National Identifiers",
		"enabled": false,
		"detectors": ["us_ssn", "uk_nino"],
		"min_matches": 1,
		"min_confidence": "medium",
	},
}

# Custom DLP detectors, by name: an RE2 "pattern", or "keywords" matched as
# whole words in any case. Name them in a profile's detectors to use them,
# for example:
#
#   dlp_custom_detectors := {
#   	"acme_project_code": {"pattern": `ACME-[0-9]{6}`},
#   	"acme_confidential": {"keywords": ["acme confidential", "internal only"]},
#   }
dlp_custom_detectors := {}

# Files larger than this many bytes are not downloaded or scanned; they are
# recorded as too_large.
dlp_max_file_bytes := 20971520

# --- The whole estate (credentials, identity, data, tools, operations) ----

# An admin API key that expires more than this many days after it was
# created lives too long; one with no expiry always does.
admin_key_max_lifetime_days := 365

# More organization owners than this is a finding.
max_org_owners := 3

# Permissions that make a custom role an organization administrator. The
# Admin API has no public list of permission names; these follow the one
# the spec shows (api.groups.write). Add your own as you see them.
org_admin_permissions := {
	"api.organization.admin",
	"api.organization.write",
	"api.users.write",
	"api.roles.write",
	"api.groups.write",
	"api.invites.write",
	"api.projects.write",
	"api.admin_api_keys.write",
}

# Workspace member statuses (Compliance API, compared in lower case) that
# mean the person has left the ChatGPT workspace.
inactive_workspace_statuses := {"inactive", "deactivated", "disabled", "suspended", "removed"}

# Email domains members and invites may use, in lower case. Empty: an
# invite is a finding when no current member uses its domain.
allowed_email_domains := set()

# Data retention types (as the Admin API names them) an organization and
# its projects may use. A project on organization_default follows the
# organization, which is checked itself; "none" is standard retention.
allowed_data_retention := {
	"zero_data_retention",
	"enhanced_zero_data_retention",
	"modified_abuse_monitoring",
	"enhanced_modified_abuse_monitoring",
	"organization_default",
}

# Project data residencies allowed (e.g. {"EU_STORAGE_PROCESSING"}).
# Empty: residency is not checked.
allowed_residencies := set()

# Sharing visibilities (normalized, as chatgpt_projects[].visibility) a
# ChatGPT project may have. invite-only keeps a project to its owner and
# the people invited by name; add workspace-with-link to accept links that
# work for the whole workspace. Any other visibility, one this version
# does not know included, is a finding.
allowed_chatgpt_project_visibilities := {"invite-only"}

# Hosted tools of the Responses API that are a finding when a project
# enables them: one finding per project and tool.
flagged_hosted_tools := {"mcp", "web_search", "code_interpreter"}

# Domains GPT custom actions may call; subdomains of a listed domain are
# allowed. Empty: action domains are not checked.
allowed_action_domains := set()

# More people than this who may edit one GPT (recipients with write
# permission, the owner not counted) is a finding.
max_gpt_editors := 3

# An active mTLS certificate that expires within this many days is a
# finding; one already expired while still active always is.
certificate_expiry_days := 30
