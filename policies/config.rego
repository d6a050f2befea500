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
