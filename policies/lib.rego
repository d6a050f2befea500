# Helpers shared by the finding packages. No findings live here.
package openai.lib

# Seconds in a day: thresholds are whole days.
day := 86400

# The evaluation clock. It is the inventory's collected_at, never the wall
# clock, so a saved inventory gives the same findings on any later day.
now := input.collected_at

# cutoff(days) is the instant days whole days before now: a timestamp ts is
# "more than days days old" exactly when ts < cutoff(days). Finding packages
# bind their cutoffs to rules so each is computed once per evaluation.
cutoff(days) := now - (days * day)

# older(ts, cut) holds for a timestamp ts (not null) before the cutoff cut.
older(ts, cut) if {
	ts != null
	ts < cut
}

# age_days is the whole number of days between ts and now, for messages.
age_days(ts) := floor((now - ts) / day)

# finding builds the object every deny rule returns. meta is the rule's own
# metadata, from rego.metadata.rule(), so id and severity are written once.
finding(meta, resource, message) := {
	"finding_type_id": meta.custom.finding_type_id,
	"severity": meta.custom.severity,
	"resource": resource,
	"message": message,
}

# finding_with_evidence is finding plus facts a reader needs to act on it.
finding_with_evidence(meta, resource, message, evidence) := object.union(
	finding(meta, resource, message),
	{"evidence": evidence},
)

# display names a resource in a message: its name when it has one, else its id.
display(r) := r.name if {
	is_string(r.name)
	r.name != ""
} else := r.id
