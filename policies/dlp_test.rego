package openai.dlp_test

import data.openai.config
import data.openai.dlp.deny
import data.openai.testdata_test as td

# financial(change) is the configured profiles, with the financial one changed.
financial(change) := object.union(config.dlp_profiles, {"financial_information": object.union(config.dlp_profiles.financial_information, change)})

conversation := "9aca654d-b331-4052-a5b4-2ceecced8676"

gpt := "520200f5-7dcc-42c9-bc3c-423019159d45"

project := "8e46ec69-e5c1-4f53-ab00-a92f2050ec33"

all_enabled := {"credentials_and_secrets", "financial_information", "national_identifiers"}

# with_file is an inventory of one file, collected with every profile
# enabled (as --dlp records it).
with_file(overrides) := td.inventory({
	"dlp": {"profiles_enabled": all_enabled, "detectors": [], "max_file_bytes": 20971520},
	"files": [td.file(overrides)],
})

key := {"openai_api_key": {"count": 2, "sample": "sk-proj-…abcd"}}

card := {"payment_card": {"count": 3, "sample": "4111 **** **** 1111"}, "iban": {"count": 1, "sample": "GB82…5432"}}

test_gpt_file_with_a_key_fires if {
	findings := deny with input as with_file({"detections": key})
	td.ids(findings, gpt) == {"file-a"}
	some f in findings
	f.severity == "high"
	f.key == "credentials_and_secrets"
	f.resource == {"type": "file", "id": "file-a", "name": "notes.txt"}
	f.message == `File "notes.txt" in GPT "Helper" matches DLP profile Credentials and Secrets: 2 openai_api_key`
	f.evidence.samples == {"openai_api_key": "sk-proj-…abcd"}
	f.evidence.counts == {"openai_api_key": 2}
	f.evidence.min_confidence == "medium"
	f.evidence.confidence == {}
	f.evidence.by_confidence == {}
}

test_each_location_has_its_finding_type if {
	td.ids(deny, conversation) == {"file-a"} with input as with_file({"location": "conversation", "detections": key})
	td.ids(deny, project) == {"file-a"} with input as with_file({"location": "chatgpt_project", "detections": key})
	td.ids(deny, gpt) == set() with input as with_file({"location": "chatgpt_project", "detections": key})
}

test_one_finding_per_matching_profile if {
	findings := deny with input as with_file({"detections": object.union(key, card)})
	{f.key | some f in findings} == {"credentials_and_secrets", "financial_information"}
	some f in findings
	f.key == "financial_information"
	f.message == `File "notes.txt" in GPT "Helper" matches DLP profile Financial Information: 1 iban, 3 payment_card`
}

test_a_file_without_detections_does_not_fire if {
	count(deny) == 0 with input as with_file({})
	count(deny) == 0 with input as with_file({"status": "too_large", "reason": "22 MB"})
}

test_detectors_of_no_enabled_profile_do_not_fire if {
	inv := td.inventory({"files": [td.file({"detections": object.union(key, card)})]})
	count(deny) == 0 with input as inv
	count(deny) == 0 with input as object.union(inv, {"dlp": null})
}

test_a_profile_enabled_in_config_fires_without_dlp if {
	inv := td.inventory({"files": [td.file({"detections": card})]})
	findings := deny with input as inv
		with data.openai.config.dlp_profiles as financial({"enabled": true})
	{f.key | some f in findings} == {"financial_information"}
}

test_min_matches_boundary if {
	three := object.union(card, {"iban": {"count": 1, "sample": "x"}})
	below := deny with input as with_file({"detections": three})
		with data.openai.config.dlp_profiles as financial({"min_matches": 5})
	count(below) == 0
	exactly := deny with input as with_file({"detections": three})
		with data.openai.config.dlp_profiles as financial({"min_matches": 4})
	{f.key | some f in exactly} == {"financial_information"}
}

test_min_matches_defaults_to_one if {
	profiles := {"acme": {"enabled": true, "detectors": ["acme_project_code"]}}
	inv := td.inventory({"files": [td.file({"detections": {"acme_project_code": {"count": 1, "sample": "****"}}})]})
	found := deny with input as inv with data.openai.config.dlp_profiles as profiles
	{f.key | some f in found} == {"acme"}
}

test_a_profile_of_custom_detectors if {
	profiles := {"acme": {"title": "Acme Secrets", "enabled": true, "detectors": ["acme_project_code"], "min_matches": 2}}
	inv := td.inventory({"files": [td.file({"detections": {"acme_project_code": {"count": 2, "sample": "AC…56"}}})]})
	findings := deny with input as inv with data.openai.config.dlp_profiles as profiles
	some f in findings
	f.key == "acme"
	contains(f.message, "matches DLP profile Acme Secrets: 2 acme_project_code")
}

test_recorded_profiles_that_config_lost_do_not_fire if {
	inv := td.inventory({
		"dlp": {"profiles_enabled": ["gone"], "detectors": [], "max_file_bytes": 1},
		"files": [td.file({"detections": key})],
	})
	count(deny) == 0 with input as inv
}

test_min_confidence_counts_only_matches_at_or_above_it if {
	profiles := {"fin": {"enabled": true, "detectors": ["payment_card"], "min_confidence": "medium"}}
	det := {"payment_card": {"count": 3, "sample": "4111 **** **** 1111", "confidence": "medium", "by_confidence": {"low": 2, "medium": 1}}}
	inv := td.inventory({"files": [td.file({"detections": det})]})
	findings := deny with input as inv with data.openai.config.dlp_profiles as profiles
	some f in findings
	f.evidence.counts == {"payment_card": 1}
	f.evidence.min_confidence == "medium"
	f.evidence.confidence == {"payment_card": "medium"}
	f.evidence.by_confidence == {"payment_card": {"low": 2, "medium": 1}}
}

test_evidence_names_each_counted_detections_confidence if {
	det := {
		"openai_api_key": {"count": 2, "sample": "sk-proj-…abcd", "confidence": "high", "by_confidence": {"high": 1, "low": 1}},
		"jwt": {"count": 1, "sample": "eyJhbGci…(jwt)", "confidence": "low", "by_confidence": {"low": 1}},
		"private_key": {"count": 1, "sample": "-----BEGIN RSA PRIVATE KEY-----"},
	}
	findings := deny with input as with_file({"detections": det})
	some f in findings
	f.key == "credentials_and_secrets"

	# jwt's only match is low, under the shipped profile's medium: not counted, not in the evidence
	f.evidence.counts == {"openai_api_key": 1, "private_key": 1}
	f.evidence.confidence == {"openai_api_key": "high"}
	f.evidence.by_confidence == {"openai_api_key": {"high": 1, "low": 1}}
	f.evidence.samples == {"openai_api_key": "sk-proj-…abcd", "private_key": "-----BEGIN RSA PRIVATE KEY-----"}
}

test_min_confidence_above_every_match_fires_nothing if {
	profiles := {"fin": {"enabled": true, "detectors": ["payment_card"], "min_confidence": "high"}}
	det := {"payment_card": {"count": 3, "sample": "4111 **** **** 1111", "confidence": "medium", "by_confidence": {"low": 2, "medium": 1}}}
	inv := td.inventory({"files": [td.file({"detections": det})]})
	count(deny) == 0 with input as inv with data.openai.config.dlp_profiles as profiles
}

test_min_confidence_defaults_to_low if {
	profiles := {"fin": {"enabled": true, "detectors": ["payment_card"], "min_matches": 3}}
	det := {"payment_card": {"count": 3, "sample": "4111 **** **** 1111", "confidence": "medium", "by_confidence": {"low": 2, "medium": 1}}}
	inv := td.inventory({"files": [td.file({"detections": det})]})
	count(deny) == 1 with input as inv with data.openai.config.dlp_profiles as profiles
}

test_detections_recorded_without_confidence_count_every_match if {
	profiles := {"fin": {"enabled": true, "detectors": ["payment_card"], "min_confidence": "high", "min_matches": 2}}
	inv := td.inventory({"files": [td.file({"detections": {"payment_card": {"count": 2, "sample": "4111 **** **** 1111"}}})]})
	findings := deny with input as inv with data.openai.config.dlp_profiles as profiles
	some f in findings
	f.evidence.counts == {"payment_card": 2}
	f.evidence.min_confidence == "high"
	f.evidence.confidence == {}
}
