package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/openai-casb/openai-casb/evaluator"
)

// Compliance is one framework's controls as the catalog maps them, with
// their status when an inventory was evaluated.
type Compliance struct {
	Framework evaluator.Framework
	Controls  []evaluator.Control
	// Header is the evaluated inventory; nil for the catalog's mapping only.
	Header *evaluator.Header
}

type complianceJSON struct {
	Framework struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"framework"`
	Inventory *struct {
		File           string `json:"file"`
		OrganizationID string `json:"organization_id"`
		CollectedAt    int64  `json:"collected_at"`
	} `json:"inventory,omitempty"`
	Summary  map[string]int          `json:"summary,omitempty"`
	Controls []complianceControlJSON `json:"controls"`
}

type complianceControlJSON struct {
	evaluator.Control
	Failing []complianceFinding `json:"failing_findings,omitempty"`
}

type complianceFinding struct {
	FindingTypeID string `json:"finding_type_id"`
	Title         string `json:"title"`
	Severity      string `json:"severity"`
	ResourceType  string `json:"resource_type"`
	ResourceID    string `json:"resource_id"`
	Message       string `json:"message"`
}

// summary counts the controls per status.
func (c *Compliance) summary() map[string]int {
	if c.Header == nil {
		return nil
	}
	s := map[string]int{evaluator.ControlPass: 0, evaluator.ControlFail: 0, evaluator.ControlNotAssessed: 0}
	for _, ctl := range c.Controls {
		s[ctl.Status]++
	}
	return s
}

// WriteComplianceJSON writes the mapping as one JSON object.
func WriteComplianceJSON(w io.Writer, c *Compliance) error {
	var out complianceJSON
	out.Framework.ID, out.Framework.Name = c.Framework.ID, c.Framework.Name
	if c.Header != nil {
		out.Inventory = &struct {
			File           string `json:"file"`
			OrganizationID string `json:"organization_id"`
			CollectedAt    int64  `json:"collected_at"`
		}{c.Header.Name, c.Header.Organization.ID, c.Header.CollectedAt}
	}
	out.Summary = c.summary()
	out.Controls = make([]complianceControlJSON, 0, len(c.Controls))
	for _, ctl := range c.Controls {
		cj := complianceControlJSON{Control: ctl}
		for _, f := range ctl.Findings {
			cj.Failing = append(cj.Failing, complianceFinding{f.FindingTypeID, f.Title, f.Severity.String(), f.Resource.Type, f.Resource.ID, f.Message})
		}
		out.Controls = append(out.Controls, cj)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// WriteComplianceTable writes one line per control, then the failing
// findings under each failed control.
func WriteComplianceTable(w io.Writer, c *Compliance) error {
	fmt.Fprintf(w, "%s (%s)", c.Framework.Name, c.Framework.ID)
	if c.Header != nil {
		fmt.Fprintf(w, ": %s, organization %s", c.Header.Name, c.Header.Organization.ID)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if c.Header != nil {
		fmt.Fprintln(tw, "CONTROL\tSTATUS\tFINDINGS\tTITLE")
	} else {
		fmt.Fprintln(tw, "CONTROL\tFINDING TYPES\tTITLE")
	}
	for _, ctl := range c.Controls {
		if c.Header == nil {
			fmt.Fprintf(tw, "%s\t%d\t%s\n", ctl.ID, len(ctl.FindingTypes), ctl.Title)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", ctl.ID, ctl.Status, len(ctl.Findings), ctl.Title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if c.Header == nil {
		fmt.Fprintf(w, "\n%d controls mapped by the catalog\n", len(c.Controls))
		return nil
	}
	for _, ctl := range c.Controls {
		switch ctl.Status {
		case evaluator.ControlFail:
			fmt.Fprintf(w, "\n%s failed:\n", ctl.ID)
			for _, f := range ctl.Findings {
				fmt.Fprintf(w, "  %-8s %s  %s %s  %s\n", f.Severity, f.Title, f.Resource.Type, f.Resource.ID, f.Message)
			}
		case evaluator.ControlNotAssessed:
			fmt.Fprintf(w, "\n%s not assessed: not read completely: %s\n", ctl.ID, strings.Join(ctl.Missing, ", "))
		}
	}
	s := c.summary()
	fmt.Fprintf(w, "\n%d controls: %d pass, %d fail, %d not assessed\n", len(c.Controls), s[evaluator.ControlPass], s[evaluator.ControlFail], s[evaluator.ControlNotAssessed])
	return nil
}
