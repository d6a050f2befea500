package report

import (
	"bufio"
	"encoding/csv"
	"io"
	"strings"
)

// CSV writes one row per finding for spreadsheets and auditors: RFC 4180
// (comma-separated, CRLF line ends, fields quoted where they hold a comma,
// quote or line break), under a fixed header (CSVHeader, documented in
// docs/outputs.md). A spreadsheet would run a cell starting with =, +, -,
// @, a tab or a carriage return as a formula (a GPT named
// =HYPERLINK("http://evil","x") would become a link): such cells get a
// leading apostrophe, which spreadsheets show as text.
type CSV struct{}

// CSVHeader is the CSV report's first row. Columns may be added at the end,
// never renamed, removed or reordered.
var CSVHeader = []string{
	"severity", "title", "category", "finding_type_id",
	"resource_type", "resource_id", "resource_name",
	"message", "remediation", "evidence",
	"fingerprint", "baseline_state",
	"organization_id", "collected_at", "evaluated_at",
	"waived", "waiver_reason", "waiver_owner", "waiver_expires",
	"first_seen", "last_seen",
}

func (CSV) Write(w io.Writer, r *Report) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	org, collected, evaluated := r.Inventory.Organization.ID, timestamp(r.Inventory.CollectedAt), timestamp(r.EvaluatedAt)
	row := make([]string, len(CSVHeader))
	for _, e := range r.Entries {
		evidence := string(compact(e.Evidence))
		if evidence == "" {
			evidence = "{}"
		}
		// waived is empty without a waivers file, as baseline_state is
		// without a baseline.
		var isWaived, reason, owner, expires string
		if r.Waivers != nil {
			isWaived = "false"
		}
		if w := e.Waiver; w != nil {
			isWaived, reason, owner, expires = "true", w.Reason, w.Owner, w.Expires
		}
		var first, last string
		if e.FirstSeen != 0 {
			first = timestamp(e.FirstSeen)
		}
		if e.LastSeen != 0 {
			last = timestamp(e.LastSeen)
		}
		copy(row, []string{
			e.Severity.String(), e.Title, e.Category, e.FindingTypeID,
			e.Resource.Type, e.Resource.ID, e.Resource.Name,
			e.Message, e.Remediation, evidence,
			e.Fingerprint, string(e.State),
			org, collected, evaluated,
			isWaived, reason, owner, expires,
			first, last,
		})
		for i := range row {
			row[i] = neutralizeFormula(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// neutralizeFormula makes a cell that a spreadsheet would evaluate plain
// text, as OWASP's CSV injection guidance says: a leading apostrophe.
func neutralizeFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
