package openai.lib_test

import data.openai.lib
import data.openai.testdata_test as td

test_cutoff_is_whole_days_before_now if {
	lib.cutoff(2) == td.now - (2 * td.day) with input as td.inventory({})
}

test_older_is_strict if {
	cut := td.now - td.day
	lib.older(cut - 1, cut)
	not lib.older(cut, cut)
	not lib.older(null, cut)
}

test_display_prefers_name if {
	lib.display({"id": "x", "name": "Named"}) == "Named"
	lib.display({"id": "x", "name": null}) == "x"
	lib.display({"id": "x", "name": ""}) == "x"
}

test_finding_takes_id_and_severity_from_metadata if {
	meta := {"custom": {"finding_type_id": "abc", "severity": "low"}}
	f := lib.finding(meta, {"type": "t", "id": "i", "name": "n"}, "m")
	f == {"finding_type_id": "abc", "severity": "low", "resource": {"type": "t", "id": "i", "name": "n"}, "message": "m"}
}
