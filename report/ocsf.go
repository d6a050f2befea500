package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/openai-casb/openai-casb/evaluator"
)

// OCSF writes newline-delimited OCSF 1.8.0 Detection Finding events (class
// 2004), one per entry, for SIEMs and security data lakes (AWS Security
// Lake, Splunk's OCSF add-on, anything that reads Prowler's json-ocsf). The
// finding's fingerprint is finding_info.uid, so a SIEM deduplicates a
// finding across daily runs; the baseline state, when there is a baseline,
// becomes status_id and activity_id.
type OCSF struct{}

// OCSFVersion is the OCSF schema version the events follow.
const OCSFVersion = "1.8.0"

// OCSF class, category and enum values (schema.ocsf.io, 1.8.0).
const (
	ocsfClassDetectionFinding = 2004
	ocsfCategoryFindings      = 2

	ocsfActivityCreate = 1
	ocsfActivityUpdate = 2
	ocsfActivityClose  = 3

	ocsfStatusNew        = 1
	ocsfStatusInProgress = 2
	ocsfStatusSuppressed = 3
	ocsfStatusResolved   = 4

	ocsfAnalyticRule = 1

	// ocsfCISFramework is the framework id whose controls also go to
	// remediation.cis_controls.
	ocsfCISFramework = "cis-v8"
)

var ocsfActivityNames = map[int]string{ocsfActivityCreate: "Create", ocsfActivityUpdate: "Update", ocsfActivityClose: "Close"}

var ocsfStatusNames = map[int]string{
	ocsfStatusNew: "New", ocsfStatusInProgress: "In Progress", ocsfStatusSuppressed: "Suppressed", ocsfStatusResolved: "Resolved",
}

// ocsfSeverity maps severities onto OCSF severity_id and its caption.
func ocsfSeverity(s evaluator.Severity) (int, string) {
	switch s {
	case evaluator.SeverityCritical:
		return 5, "Critical"
	case evaluator.SeverityHigh:
		return 4, "High"
	case evaluator.SeverityMedium:
		return 3, "Medium"
	case evaluator.SeverityLow:
		return 2, "Low"
	}
	return 0, "Unknown"
}

// ocsfState is an entry's lifecycle in OCSF terms: without a baseline and
// for new findings, created and new; a finding the baseline already had
// (unchanged, or changed: other evidence) is an update, in progress; one the baseline had and this run has not is
// closed and resolved. A waived finding is suppressed, whatever its
// baseline state.
func ocsfState(e Entry) (activity, status int) {
	activity, status = ocsfBaselineState(e)
	if e.Waiver != nil && e.State != StateAbsent {
		status = ocsfStatusSuppressed
	}
	return activity, status
}

func ocsfBaselineState(e Entry) (activity, status int) {
	switch e.State {
	case StateUnchanged, StateChanged:
		return ocsfActivityUpdate, ocsfStatusInProgress
	case StateAbsent:
		return ocsfActivityClose, ocsfStatusResolved
	}
	return ocsfActivityCreate, ocsfStatusNew
}

type (
	ocsfEvent struct {
		ActivityID   int             `json:"activity_id"`
		ActivityName string          `json:"activity_name"`
		CategoryUID  int             `json:"category_uid"`
		CategoryName string          `json:"category_name"`
		ClassUID     int             `json:"class_uid"`
		ClassName    string          `json:"class_name"`
		TypeUID      int             `json:"type_uid"`
		TypeName     string          `json:"type_name"`
		Time         int64           `json:"time"`
		SeverityID   int             `json:"severity_id"`
		Severity     string          `json:"severity"`
		StatusID     int             `json:"status_id"`
		Status       string          `json:"status"`
		StatusDetail string          `json:"status_detail,omitempty"`
		Message      string          `json:"message"`
		FindingInfo  ocsfFindingInfo `json:"finding_info"`
		Resources    []ocsfResource  `json:"resources"`
		Remediation  ocsfRemediation `json:"remediation"`
		Cloud        ocsfCloud       `json:"cloud"`
		Metadata     ocsfMetadata    `json:"metadata"`
		Unmapped     *ocsfUnmapped   `json:"unmapped,omitempty"`
	}
	ocsfFindingInfo struct {
		UID           string       `json:"uid"`
		Title         string       `json:"title"`
		Desc          string       `json:"desc,omitempty"`
		Types         []string     `json:"types"`
		Analytic      ocsfAnalytic `json:"analytic"`
		FirstSeenTime int64        `json:"first_seen_time,omitempty"`
		LastSeenTime  int64        `json:"last_seen_time,omitempty"`
	}
	ocsfAnalytic struct {
		UID      string `json:"uid"`
		Name     string `json:"name"`
		Category string `json:"category"`
		TypeID   int    `json:"type_id"`
		Type     string `json:"type"`
	}
	ocsfResource struct {
		Type string          `json:"type"`
		UID  string          `json:"uid"`
		Name string          `json:"name,omitempty"`
		Data json.RawMessage `json:"data,omitempty"`
	}
	ocsfRemediation struct {
		Desc string `json:"desc"`
		// CISControls are the finding type's CIS Controls v8 ids: the one
		// framework OCSF's Detection Finding names an attribute for.
		CISControls []ocsfCISControl `json:"cis_controls,omitempty"`
	}
	// ocsfCISControl is one CIS control: its id as name (5.4), its title
	// as desc, version v8.
	ocsfCISControl struct {
		Name    string `json:"name"`
		Desc    string `json:"desc,omitempty"`
		Version string `json:"version"`
	}
	ocsfCloud struct {
		Provider string      `json:"provider"`
		Account  ocsfAccount `json:"account"`
	}
	ocsfAccount struct {
		UID  string `json:"uid"`
		Name string `json:"name,omitempty"`
	}
	ocsfMetadata struct {
		Version  string      `json:"version"`
		Product  ocsfProduct `json:"product"`
		Profiles []string    `json:"profiles"`
		LogName  string      `json:"log_name"`
	}
	ocsfProduct struct {
		Name       string `json:"name"`
		VendorName string `json:"vendor_name"`
		Version    string `json:"version"`
		URL        string `json:"url_string"`
	}
	// ocsfUnmapped holds what OCSF has no attribute for in a Detection
	// Finding.
	ocsfUnmapped struct {
		FindingTypeID string `json:"finding_type_id"`
		BaselineState string `json:"baseline_state,omitempty"`
		Key           string `json:"key,omitempty"`
		WorkspaceID   string `json:"workspace_id,omitempty"`
		// Waiver is the waiver that accepts the finding; nil when open.
		Waiver *ocsfWaiver `json:"waiver,omitempty"`
		// Compliance maps each framework the finding type bears on to its
		// control ids (the rule's custom.frameworks). OCSF 1.8.0 has a
		// compliance object only in the Compliance Finding class (2003),
		// whose one control and pass/fail status per event describe a
		// control assessment, not a detection; a Detection Finding has no
		// attribute for it, so it stands here.
		Compliance map[string][]string `json:"compliance,omitempty"`
	}
	ocsfWaiver struct {
		Reason  string `json:"reason"`
		Owner   string `json:"owner,omitempty"`
		Expires string `json:"expires"`
		File    string `json:"file"`
		Line    int    `json:"line"`
	}
)

// Write writes one event per line, the baseline's absent findings
// included (resolved).
func (OCSF) Write(w io.Writer, r *Report) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	types := map[string]evaluator.FindingType{}
	for _, ft := range r.Catalog {
		types[ft.ID] = ft
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, e := range r.Entries {
		buf.Reset()
		if err := enc.Encode(ocsfEventOf(r, e, types[e.FindingTypeID])); err != nil {
			return fmt.Errorf("encode OCSF event: %w", err)
		}
		if _, err := bw.Write(buf.Bytes()); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// cisTitles are the CIS Controls v8 titles of the built-in mapping.
var cisTitles = func() map[string]string {
	for _, fw := range evaluator.Frameworks {
		if fw.ID == ocsfCISFramework {
			return fw.Controls
		}
	}
	return nil
}()

func ocsfEventOf(r *Report, e Entry, ft evaluator.FindingType) ocsfEvent {
	activity, status := ocsfState(e)
	sevID, sev := ocsfSeverity(e.Severity)
	now := r.EvaluatedAt * 1000 // OCSF timestamps are milliseconds
	ev := ocsfEvent{
		ActivityID: activity, ActivityName: ocsfActivityNames[activity],
		CategoryUID: ocsfCategoryFindings, CategoryName: "Findings",
		ClassUID: ocsfClassDetectionFinding, ClassName: "Detection Finding",
		TypeUID: ocsfClassDetectionFinding*100 + activity, TypeName: "Detection Finding: " + ocsfActivityNames[activity],
		Time:       now,
		SeverityID: sevID, Severity: sev,
		StatusID: status, Status: ocsfStatusNames[status],
		Message: e.Message,
		FindingInfo: ocsfFindingInfo{
			UID: e.Fingerprint, Title: e.Title, Desc: ft.Description, Types: []string{e.Category},
			Analytic: ocsfAnalytic{UID: e.FindingTypeID, Name: e.Title, Category: e.Category, TypeID: ocsfAnalyticRule, Type: "Rule"},
		},
		Resources:   []ocsfResource{{Type: e.Resource.Type, UID: e.Resource.ID, Name: e.Resource.Name, Data: compact(e.Evidence)}},
		Remediation: ocsfRemediation{Desc: e.Remediation},
		Cloud:       ocsfCloud{Provider: "OpenAI", Account: ocsfAccount{UID: r.Inventory.Organization.ID}},
		Metadata: ocsfMetadata{
			Version:  OCSFVersion,
			Product:  ocsfProduct{Name: r.Tool.Name, VendorName: r.Tool.Name, Version: r.Tool.Version, URL: InformationURI},
			Profiles: []string{"cloud"},
			LogName:  "openai-casb findings",
		},
		Unmapped: &ocsfUnmapped{FindingTypeID: e.FindingTypeID, BaselineState: string(e.State), Key: e.Key},
	}
	if n := r.Inventory.Organization.Name; n != nil {
		ev.Cloud.Account.Name = *n
	}
	if ws := r.Inventory.Workspace; ws != nil {
		ev.Unmapped.WorkspaceID = ws.ID
	}
	if len(ft.Frameworks) > 0 {
		ev.Unmapped.Compliance = ft.Frameworks
	}
	for _, id := range ft.Frameworks[ocsfCISFramework] {
		ev.Remediation.CISControls = append(ev.Remediation.CISControls, ocsfCISControl{Name: id, Desc: cisTitles[id], Version: "v8"})
	}
	if w := e.Waiver; w != nil && e.State != StateAbsent {
		ev.StatusDetail = fmt.Sprintf("waived until %s: %s", w.Expires, w.Reason)
		ev.Unmapped.Waiver = &ocsfWaiver{Reason: w.Reason, Owner: w.Owner, Expires: w.Expires, File: w.File, Line: w.Line}
	}
	// Seen now unless gone, when the baseline saw it last; first seen
	// when the chain of baselines says (a new finding: now), unknown
	// without a baseline.
	if e.State != StateAbsent {
		ev.FindingInfo.LastSeenTime = now
	} else if e.LastSeen != 0 {
		ev.FindingInfo.LastSeenTime = e.LastSeen * 1000
	}
	if e.FirstSeen != 0 {
		ev.FindingInfo.FirstSeenTime = e.FirstSeen * 1000
	}
	return ev
}
