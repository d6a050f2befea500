package report_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/internal/schemacheck"
	"github.com/openai-casb/openai-casb/report"
)

// ocsfEvents writes r as OCSF, validates every line against the OCSF 1.8.0
// Detection Finding schema, and returns the events.
func ocsfEvents(t *testing.T, r *report.Report) []map[string]any {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, report.OCSF{}.Write(&buf, r))
	schema := schemacheck.Load(t, schemacheck.OCSFDetectionFinding)
	var out []map[string]any
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		schemacheck.Validate(t, schema, sc.Bytes())
		var ev map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &ev))
		out = append(out, ev)
	}
	require.NoError(t, sc.Err())
	return out
}

func TestOCSFEvents(t *testing.T) {
	events := ocsfEvents(t, sample())
	require.Len(t, events, 2, "one event per finding")
	ev := events[0]
	assert.Equal(t, 2004.0, ev["class_uid"])
	assert.Equal(t, 2.0, ev["category_uid"])
	assert.Equal(t, 200401.0, ev["type_uid"], "Detection Finding: Create")
	assert.Equal(t, 1795651200000.0, ev["time"], "milliseconds")
	assert.Equal(t, 4.0, ev["severity_id"], "high")
	assert.Equal(t, "High", ev["severity"])
	assert.Equal(t, 1.0, ev["status_id"], "new without a baseline")
	assert.Equal(t, "old", ev["message"])

	fi := ev["finding_info"].(map[string]any)
	assert.Equal(t, sample().Entries[0].Fingerprint, fi["uid"])
	assert.Equal(t, "Key not rotated", fi["title"])
	assert.Equal(t, "An old key.", fi["desc"], "the finding type's description")
	assert.Equal(t, []any{"API key hygiene"}, fi["types"])
	assert.Equal(t, map[string]any{"uid": "a", "name": "Key not rotated", "category": "API key hygiene", "type_id": 1.0, "type": "Rule"}, fi["analytic"])
	assert.Equal(t, 1795651200000.0, fi["last_seen_time"])
	assert.NotContains(t, fi, "first_seen_time", "unknown without a baseline")

	assert.Equal(t, []any{map[string]any{"type": "admin_api_key", "uid": "key_1", "name": "ci", "data": map[string]any{"days": 120.0}}}, ev["resources"])
	assert.Equal(t, map[string]any{"desc": "rotate"}, ev["remediation"])
	assert.Equal(t, map[string]any{"provider": "OpenAI", "account": map[string]any{"uid": "org-1", "name": "Acme"}}, ev["cloud"])
	md := ev["metadata"].(map[string]any)
	assert.Equal(t, "1.8.0", md["version"])
	assert.Equal(t, []any{"cloud"}, md["profiles"])
	assert.Equal(t, map[string]any{"name": "openai-casb", "vendor_name": "openai-casb", "version": "1.2.3", "url_string": report.InformationURI}, md["product"])

	second := events[1]
	assert.Equal(t, 2.0, second["severity_id"], "low")
	assert.Equal(t, []any{map[string]any{"type": "invite", "uid": "inv_1"}}, second["resources"], "no name, no evidence: left out")
}

// Against a baseline (report.Baseline.Compare sets the times; see
// TestFirstSeenThroughBaselines): new findings were first seen now, those
// the baseline had keep its first-seen time, absent ones were last seen
// when the baseline was evaluated; from a baseline that gives no time,
// first_seen_time is left out.
func TestOCSFBaselineStates(t *testing.T) {
	const now, first, baseAt = int64(1795651200), int64(1790000000), int64(1795564800)
	r := sample()
	r.Entries[0].State, r.Entries[0].FirstSeen = report.StateUnchanged, first
	r.Entries[1].State, r.Entries[1].FirstSeen = report.StateNew, now
	gone := r.Entries[1]
	gone.Fingerprint, gone.State, gone.FirstSeen, gone.LastSeen = "f0", report.StateAbsent, first, baseAt
	changed := r.Entries[0]
	changed.Fingerprint, changed.State, changed.FirstSeen = "f1", report.StateChanged, first+1
	unknown := r.Entries[0]
	unknown.Fingerprint, unknown.FirstSeen = "f2", 0
	r.Entries = append(r.Entries, gone, changed, unknown)
	events := ocsfEvents(t, r)
	require.Len(t, events, 5, "absent findings are reported, resolved")
	cases := []struct {
		activity, status, typeUID float64
		firstSeen, lastSeen       any // milliseconds, nil when left out
		state                     string
	}{
		{2, 2, 200402, float64(first * 1000), float64(now * 1000), "unchanged"},
		{1, 1, 200401, float64(now * 1000), float64(now * 1000), "new"},
		{3, 4, 200403, float64(first * 1000), float64(baseAt * 1000), "absent"},
		{2, 2, 200402, float64((first + 1) * 1000), float64(now * 1000), "changed"},
		{2, 2, 200402, nil, float64(now * 1000), "unchanged"},
	}
	for i, c := range cases {
		ev := events[i]
		assert.Equal(t, c.activity, ev["activity_id"], "event %d", i)
		assert.Equal(t, c.status, ev["status_id"], "event %d", i)
		assert.Equal(t, c.typeUID, ev["type_uid"], "event %d", i)
		fi := ev["finding_info"].(map[string]any)
		assert.Equal(t, c.firstSeen, fi["first_seen_time"], "event %d first_seen_time", i)
		assert.Equal(t, c.lastSeen, fi["last_seen_time"], "event %d last_seen_time", i)
		assert.Equal(t, c.state, ev["unmapped"].(map[string]any)["baseline_state"], "event %d", i)
	}
}

func TestOCSFWithoutFindingsIsEmpty(t *testing.T) {
	r := sample()
	r.Entries = nil
	var buf bytes.Buffer
	require.NoError(t, report.OCSF{}.Write(&buf, r))
	assert.Empty(t, buf.String())
}

// The schema check is live: an event the schema must refuse is refused.
func TestOCSFSchemaRefusesABrokenEvent(t *testing.T) {
	events := ocsfEvents(t, sample())
	schema := schemacheck.Load(t, schemacheck.OCSFDetectionFinding)
	for name, mutate := range map[string]func(map[string]any){
		"wrong class":       func(ev map[string]any) { ev["class_uid"] = 2003 },
		"no finding uid":    func(ev map[string]any) { delete(ev["finding_info"].(map[string]any), "uid") },
		"unknown attribute": func(ev map[string]any) { ev["compliance_ids"] = []string{"x"} },
	} {
		ev := map[string]any{}
		raw, _ := json.Marshal(events[0])
		require.NoError(t, json.Unmarshal(raw, &ev))
		mutate(ev)
		raw, _ = json.Marshal(ev)
		doc, err := jsonschemaUnmarshal(raw)
		require.NoError(t, err)
		assert.Error(t, schema.Validate(doc), name)
	}
}

func jsonschemaUnmarshal(raw []byte) (any, error) {
	return jsonschema.UnmarshalJSON(bytes.NewReader(raw))
}

func TestOCSFWaivedIsSuppressed(t *testing.T) {
	events := ocsfEvents(t, waivedSample())
	assert.Equal(t, 3.0, events[0]["status_id"], "suppressed")
	assert.Equal(t, "Suppressed", events[0]["status"])
	assert.Equal(t, "waived until 2027-01-31: accepted: CI key", events[0]["status_detail"])
	assert.Equal(t, map[string]any{"reason": "accepted: CI key", "owner": "=cmd|' /C calc'!A0", "expires": "2027-01-31", "file": "openai-casb-waivers.yaml", "line": 3.0},
		events[0]["unmapped"].(map[string]any)["waiver"])
	assert.Equal(t, 1.0, events[1]["status_id"], "the open finding stays new")
	assert.NotContains(t, events[1], "status_detail")
}

// The controls a finding type maps go to unmapped.compliance by framework
// (Detection Finding has no compliance attribute), the CIS ones to
// remediation.cis_controls too; every event still validates.
func TestOCSFCompliance(t *testing.T) {
	r := sample()
	r.Catalog[0].Frameworks = map[string][]string{"cis-v8": {"5.2", "6.2"}, "soc2-2017": {"CC6.1"}}
	r.Catalog[1].Frameworks = map[string][]string{"owasp-llm-2025": {"LLM06:2025"}}
	r.Entries = append(r.Entries, r.Entries[0])
	r.Entries[2].FindingTypeID, r.Entries[2].Fingerprint = "c", "f2"
	events := ocsfEvents(t, r)
	require.Len(t, events, 3)
	assert.Equal(t, map[string]any{"cis-v8": []any{"5.2", "6.2"}, "soc2-2017": []any{"CC6.1"}}, events[0]["unmapped"].(map[string]any)["compliance"])
	assert.Equal(t, []any{
		map[string]any{"name": "5.2", "desc": "Use Unique Passwords", "version": "v8"},
		map[string]any{"name": "6.2", "desc": "Establish an Access Revoking Process", "version": "v8"},
	}, events[0]["remediation"].(map[string]any)["cis_controls"])
	assert.Equal(t, map[string]any{"owasp-llm-2025": []any{"LLM06:2025"}}, events[1]["unmapped"].(map[string]any)["compliance"])
	assert.NotContains(t, events[1]["remediation"], "cis_controls", "no CIS control mapped")
	assert.NotContains(t, events[2]["unmapped"], "compliance", "a type that maps no control has none")
	assert.Equal(t, map[string]any{"desc": "rotate"}, events[2]["remediation"])
}
