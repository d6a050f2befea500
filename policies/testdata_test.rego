# Builders shared by the policy tests: a minimal valid inventory and one
# resource of each kind, each overridable field by field.
package openai.testdata_test

# 2026-01-01T00:00:00Z
now := 1767225600

day := 86400

inventory(overrides) := object.union(
	{
		"schema_version": 1,
		"collected_at": now,
		"tool": {"name": "openai-casb", "version": "test"},
		"organization": {"id": "org-test", "name": "Test"},
		"workspace": null,
		"sources": {},
		"admin_api_keys": [],
		"projects": [],
		"users": [],
		"invites": [],
		"gpts": [],
	},
	overrides,
)

admin_key(overrides) := object.union(
	{
		"id": "key_admin",
		"name": "ci-admin",
		"redacted_value": "sk-admin-...abcd",
		"created_at": now - (10 * day),
		"expires_at": null,
		"last_used_at": now - day,
	},
	overrides,
)

project(overrides) := object.union(
	{
		"id": "proj_a",
		"name": "Alpha",
		"status": "active",
		"created_at": now - (400 * day),
		"archived_at": null,
		"api_keys": [],
		"service_accounts": [],
		"users": [],
	},
	overrides,
)

project_key(overrides) := object.union(
	{
		"id": "key_proj",
		"name": "backend",
		"redacted_value": "sk-proj-...wxyz",
		"created_at": now - (10 * day),
		"last_used_at": now - day,
		"owner_project_access": "active",
		"owner": {"type": "user", "id": "user-a", "email": "a@example.com", "name": "A", "role": "owner"},
	},
	overrides,
)

user(overrides) := object.union(
	{
		"id": "user-a",
		"name": "Ada",
		"email": "ada@example.com",
		"role": "reader",
		"added_at": now - (400 * day),
		"last_activity_at": now - day,
		"activity_signals": {
			"audit_log_login_at": now - day,
			"api_key_last_used_at": null,
			"owned_project_keys_last_used_at": null,
			"unavailable": [],
		},
	},
	overrides,
)

invite(overrides) := object.union(
	{
		"id": "invite-a",
		"email": "new@example.com",
		"role": "reader",
		"status": "pending",
		"created_at": now - day,
		"expires_at": now + (6 * day),
		"accepted_at": null,
		"projects": [],
	},
	overrides,
)

gpt(overrides) := object.union(
	{
		"id": "g-test",
		"name": "Helper",
		"visibility": "workspace",
		"visibility_raw": "workspace",
		"owner_email": "owner@example.com",
		"tools": [],
	},
	overrides,
)

tool(kind) := {"type": kind, "raw_type": kind}

# ids(findings, type_id) is the resource ids of the findings of one type.
chatgpt_project(overrides) := object.union(
	{
		"id": "g-p-test",
		"name": "Test Project",
		"owner_id": "wsu-a",
		"owner_email": "a@example.com",
		"visibility": "invite-only",
		"visibility_raw": "invite-only",
	},
	overrides,
)

ids(findings, type_id) := {f.resource.id | some f in findings; f.finding_type_id == type_id}

file(overrides) := object.union(
	{
		"id": "file-a",
		"name": "notes.txt",
		"location": "gpt",
		"container": {"id": "g-test", "name": "Helper"},
		"owner": {"id": "user-a", "email": "a@example.com"},
		"size": 1200,
		"mime_type": "text/plain",
		"status": "scanned",
		"detections": {},
	},
	overrides,
)
