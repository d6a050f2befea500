# Data loss prevention: files in ChatGPT conversations, custom GPTs'
# knowledge and ChatGPT projects that hold what an enabled DLP profile looks
# for. The collector scans each file once with every detector and records,
# per detector, how many matches it found and a redacted sample; these rules
# decide which profiles fire. Profiles and thresholds are in openai.config.
package openai.dlp

import data.openai.config
import data.openai.lib

# A profile is enabled by the configuration, or was enabled for the
# collection (--dlp), as the inventory records.
enabled contains name if {
	some name, profile in config.dlp_profiles
	profile.enabled == true
}

enabled contains name if {
	some name in input.dlp.profiles_enabled
	config.dlp_profiles[name]
}

# counts(file, profile) maps each of the profile's detectors that found
# something in the file to how many matches it found at the profile's
# min_confidence (low, medium or high; low when absent) or above.
counts(file, profile) := {d: n |
	some d in profile.detectors
	n := counted(file.detections[d], object.get(profile, "min_confidence", "low"))
	n > 0
}

confidence_rank := {"low": 1, "medium": 2, "high": 3}

# counted(detection, min) is how many of a detection's matches have at
# least confidence min; a detection recorded without confidences (an
# inventory written before detectors had them) counts all its matches.
counted(detection, min) := sum([n |
	some level, n in detection.by_confidence
	confidence_rank[level] >= confidence_rank[min]
]) if detection.by_confidence

counted(detection, _) := detection.count if not detection.by_confidence

places := {"gpt": "GPT", "chatgpt_project": "ChatGPT project", "conversation": "conversation"}

# profile_finding is the finding of one file and one enabled profile, when
# the profile's detectors matched at least min_matches times in the file.
# Its evidence says, per detector that counted: the matches counted
# (counts), the redacted sample, the sample's confidence (the highest of
# the detector's matches), every match per confidence (by_confidence,
# those below min_confidence included, so a reader sees what was left
# out), and the profile's min_confidence. Detections recorded without
# confidence (older inventories) have no confidence or by_confidence entry.
profile_finding(meta, file, name) := finding if {
	profile := config.dlp_profiles[name]
	c := counts(file, profile)
	total := sum([n | some n in c])
	total >= object.get(profile, "min_matches", 1)
	title := object.get(profile, "title", name)
	found := concat(", ", [sprintf("%d %s", [n, d]) | some d, n in c])
	where := sprintf("%s %q", [places[file.location], lib.display(file.container)])
	finding := lib.keyed_finding(
		meta,
		{"type": "file", "id": file.id, "name": file.name},
		name,
		sprintf("File %q in %s matches DLP profile %s: %s", [lib.display(file), where, title, found]),
		{
			"profile": name,
			"profile_title": title,
			"location": file.location,
			"container": file.container,
			"owner": object.get(file, "owner", null),
			"counts": c,
			"samples": {d: file.detections[d].sample | some d in object.keys(c)},
			"min_confidence": object.get(profile, "min_confidence", "low"),
			"confidence": {d: level |
				some d in object.keys(c)
				level := file.detections[d].confidence
			},
			"by_confidence": {d: by |
				some d in object.keys(c)
				by := file.detections[d].by_confidence
			},
		},
	)
}

# METADATA
# title: "OpenAI: File in ChatGPT Conversation with DLP Profile match"
# description: >-
#   A file attached in a ChatGPT conversation holds data an enabled DLP
#   profile looks for: credentials, payment cards, national identifiers or
#   your own patterns. It now sits in the conversation's history.
# custom:
#   finding_type_id: 9aca654d-b331-4052-a5b4-2ceecced8676
#   severity: high
#   category: Data Loss Prevention
#   enterprise_required: true
#   remediation: >-
#     Ask the user to delete the conversation or the file, rotate any
#     credential it held, and remind them of the data handling policy. The
#     samples in the evidence say what was found without repeating it.
#   sources: [conversation_files]
#   config: [dlp_profiles]
#   frameworks:
#     cis-v8: ["3.1", "3.13"]
#     nist-csf-2.0: [PR.DS-01, PR.DS-10]
#     iso-27001-2022: [A.8.12, A.5.12]
#     soc2-2017: [C1.1, CC6.7]
#     owasp-llm-2025: [LLM02:2025]
deny contains finding if {
	some file in input.files
	file.location == "conversation"
	some name in enabled
	finding := profile_finding(rego.metadata.rule(), file, name)
}

# METADATA
# title: "OpenAI: File in ChatGPT GPT with DLP Profile match"
# description: >-
#   A knowledge file of a custom GPT holds data an enabled DLP profile looks
#   for. Everyone who can use the GPT can get it to quote from the file.
# custom:
#   finding_type_id: 520200f5-7dcc-42c9-bc3c-423019159d45
#   severity: high
#   category: Data Loss Prevention
#   enterprise_required: true
#   remediation: >-
#     Remove the file from the GPT's knowledge (or replace it with a version
#     without the sensitive data), rotate any credential it held, and check
#     who the GPT is shared with.
#   sources: [gpt_files]
#   config: [dlp_profiles]
#   frameworks:
#     cis-v8: ["3.1", "3.13"]
#     nist-csf-2.0: [PR.DS-01]
#     iso-27001-2022: [A.8.12, A.5.12]
#     soc2-2017: [C1.1, CC6.7]
#     owasp-llm-2025: [LLM02:2025, LLM08:2025]
deny contains finding if {
	some file in input.files
	file.location == "gpt"
	some name in enabled
	finding := profile_finding(rego.metadata.rule(), file, name)
}

# METADATA
# title: "OpenAI: File in ChatGPT Project with DLP Profile match"
# description: >-
#   A file of a ChatGPT project holds data an enabled DLP profile looks for.
#   Every member of the project, and every conversation in it, can reach the
#   file.
# custom:
#   finding_type_id: 8e46ec69-e5c1-4f53-ab00-a92f2050ec33
#   severity: high
#   category: Data Loss Prevention
#   enterprise_required: false
#   remediation: >-
#     Remove the file from the project (or replace it with a version without
#     the sensitive data), rotate any credential it held, and review the
#     project's members.
#   sources: [project_files]
#   config: [dlp_profiles]
#   frameworks:
#     cis-v8: ["3.1", "3.13"]
#     nist-csf-2.0: [PR.DS-01]
#     iso-27001-2022: [A.8.12, A.5.12]
#     soc2-2017: [C1.1, CC6.7]
#     owasp-llm-2025: [LLM02:2025]
deny contains finding if {
	some file in input.files
	file.location == "chatgpt_project"
	some name in enabled
	finding := profile_finding(rego.metadata.rule(), file, name)
}
