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
# The remainder is taken off before dividing: OPA divides integers that
# divide exactly without going through big floats, and this runs once per
# finding.
age_days(ts) := (age - (age % day)) / day if age := now - ts

# finding builds the object every deny rule returns. meta is the rule's own
# metadata, from rego.metadata.rule(), so id and severity are written once.
finding(meta, resource, message) := {
	"finding_type_id": meta.custom.finding_type_id,
	"severity": meta.custom.severity,
	"resource": resource,
	"message": message,
}

# finding_with_evidence is finding plus facts a reader needs to act on it.
# It builds the object in one go rather than merging two: it runs once per
# finding, and there can be hundreds of thousands.
finding_with_evidence(meta, resource, message, evidence) := {
	"finding_type_id": meta.custom.finding_type_id,
	"severity": meta.custom.severity,
	"resource": resource,
	"message": message,
	"evidence": evidence,
}

# keyed_finding is finding_with_evidence for finding types that can hold
# more than once for one resource, e.g. once per DLP profile for one file:
# key tells them apart, and is part of the finding's identity (its
# fingerprint).
keyed_finding(meta, resource, key, message, evidence) := {
	"finding_type_id": meta.custom.finding_type_id,
	"severity": meta.custom.severity,
	"resource": resource,
	"key": key,
	"message": message,
	"evidence": evidence,
}

# display names a resource in a message: its name when it has one, else its id.
display(r) := r.name if {
	is_string(r.name)
	r.name != ""
} else := r.id

# collected(name) holds when the list of that sources entry was read to
# its end, so that the absence of something in it is a fact.
collected(name) if input.sources[name].status == "complete"

# lower_or_null lower-cases a string; anything else becomes null.
lower_or_null(s) := lower(s) if is_string(s)

else := null

# email_domain is the lower-case part after the last @ of an email.
email_domain(email) := d if {
	is_string(email)
	parts := split(lower(email), "@")
	count(parts) > 1
	d := parts[count(parts) - 1]
	d != ""
}
