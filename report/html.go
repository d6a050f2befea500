package report

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/openai-casb/openai-casb/evaluator"
)

// HTML writes one self-contained page for people who would rather look
// than read: no network, no CDN, one file that works from file:// and
// offline. The organization and collection time, a banner for sources not
// read completely, counts per severity and per category as SVG bar charts
// drawn here, and a findings table that sorts and filters (by severity,
// category, resource type, baseline state, waived and text) with each finding's message, evidence
// and remediation, and, when the policies map finding types to compliance
// controls, a compliance view of the framework chosen. The table is plain HTML, so the page reads without
// script; the small inline script only sorts and filters.
//
// Everything from the inventory goes through html/template's contextual
// escaping, and a Content-Security-Policy lets only the page's own script
// run (by its hash) and load nothing: a GPT named <script>… is text.
type HTML struct{}

//go:embed html.tmpl
var htmlSource string

//go:embed html.js
var htmlScript string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"script": func() template.JS { return template.JS(htmlScript) },
	"join":   func(s []string) string { return strings.Join(s, ", ") },
}).Parse(htmlSource))

// htmlCSP is the page's Content-Security-Policy: nothing loads, only the
// inline style and the page's own script (by its SHA-256) run.
var htmlCSP = func() string {
	sum := sha256.Sum256([]byte(htmlScript))
	return "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

type htmlPage struct {
	CSP          string
	Tool         Tool
	Organization string
	OrgID        string
	Workspace    string
	CollectedAt  string
	EvaluatedAt  string
	Incomplete   []IncompleteSource
	Total        int
	Severities   []htmlCount
	SeverityBars htmlChart
	CategoryBars htmlChart
	Baseline     *BaselineSummary
	Waivers      bool
	Waived       int
	Rows         []htmlRow
	Categories   []string
	Types        []string // resource types, for the filter
	States       []string
	Compliance   []htmlFramework
	Generated    string
}

// htmlFramework is the compliance view of one framework.
type htmlFramework struct {
	ID, Name                string
	Pass, Fail, NotAssessed int
	Controls                []htmlControl
}

type htmlControl struct {
	ID, Title, Status string
	Missing           []string
	Types             []string // the mapped finding types' titles
	Open, Waived      int
	Findings          []htmlControlFinding
	More              int // open findings past htmlControlFindings
}

type htmlControlFinding struct {
	Severity, Title, ResourceType, ResourceID, ResourceName, Key string
}

// htmlControlFindings is how many open findings a control lists; the
// findings table has them all.
const htmlControlFindings = 20

func htmlCompliance(r *Report) []htmlFramework {
	views := r.Compliance
	if views == nil {
		views = ComplianceViews(r)
	}
	titles := map[string]string{}
	for _, ft := range r.Catalog {
		titles[ft.ID] = ft.Title
	}
	var out []htmlFramework
	for _, v := range views {
		f := htmlFramework{ID: v.Framework.ID, Name: v.Framework.Name}
		for _, c := range v.Controls {
			hc := htmlControl{ID: c.ID, Title: c.Title, Status: c.Status, Missing: c.Missing, Open: len(c.Findings), Waived: c.Waived}
			for _, id := range c.FindingTypes {
				hc.Types = append(hc.Types, cmp.Or(titles[id], id))
			}
			for i, fd := range c.Findings {
				if i == htmlControlFindings {
					hc.More = len(c.Findings) - i
					break
				}
				hc.Findings = append(hc.Findings, htmlControlFinding{fd.Severity.String(), fd.Title, fd.Resource.Type, fd.Resource.ID, fd.Resource.Name, fd.Key})
			}
			switch c.Status {
			case evaluator.ControlPass:
				f.Pass++
			case evaluator.ControlFail:
				f.Fail++
			case evaluator.ControlNotAssessed:
				f.NotAssessed++
			}
			f.Controls = append(f.Controls, hc)
		}
		out = append(out, f)
	}
	return out
}

type htmlCount struct {
	Name  string
	Count int
}

type htmlChart struct {
	Height int
	Bars   []htmlBar
}

type htmlBar struct {
	Label, Class    string
	Count           int
	Y, Width, TextX int
}

type htmlRow struct {
	Severity, SeverityRank     string
	Title, Category, Type      string
	ResourceType, ResourceID   string
	ResourceName               string
	State                      string
	Waived                     string // "waived", "open", or "" without waivers
	Waiver                     *Waiver
	Message, Remediation       string
	Evidence, Fingerprint, Key string
	FirstSeen, LastSeen        string // RFC 3339, with a baseline
}

// Chart geometry, in SVG user units.
const (
	chartLabelWidth = 170
	chartBarMax     = 300
	chartRow        = 26
)

func chart(counts []htmlCount, class func(string) string) htmlChart {
	peak := 0
	for _, c := range counts {
		peak = max(peak, c.Count)
	}
	ch := htmlChart{Height: len(counts)*chartRow + 4}
	for i, c := range counts {
		w := 0
		if peak > 0 {
			w = c.Count * chartBarMax / peak
		}
		if c.Count > 0 {
			w = max(w, 2)
		}
		ch.Bars = append(ch.Bars, htmlBar{Label: c.Name, Class: class(c.Name), Count: c.Count, Y: i*chartRow + 2, Width: w, TextX: chartLabelWidth + w + 6})
	}
	return ch
}

func (HTML) Write(w io.Writer, r *Report) error {
	current := findingsOf(open(r.Entries))
	p := htmlPage{
		CSP:         htmlCSP,
		Tool:        r.Tool,
		OrgID:       r.Inventory.Organization.ID,
		CollectedAt: timestamp(r.Inventory.CollectedAt),
		EvaluatedAt: timestamp(r.EvaluatedAt),
		Incomplete:  IncompleteSources(r.Inventory),
		Total:       len(current),
		Baseline:    r.Baseline,
		Waivers:     r.Waivers != nil,
		Waived:      len(waived(r.Entries)),
	}
	p.Organization = p.OrgID
	if n := r.Inventory.Organization.Name; n != nil && *n != "" {
		p.Organization = *n
	}
	if ws := r.Inventory.Workspace; ws != nil {
		p.Workspace = ws.ID
	}
	counts := Counts(current)
	for _, s := range evaluator.Severities {
		p.Severities = append(p.Severities, htmlCount{s.String(), counts[s]})
	}
	p.SeverityBars = chart(p.Severities, func(name string) string { return "sev-" + name })
	byCat := map[string]int{}
	for _, f := range current {
		byCat[f.Category]++
	}
	var cats []htmlCount
	for _, c := range slices.Sorted(maps.Keys(byCat)) {
		cats = append(cats, htmlCount{c, byCat[c]})
	}
	slices.SortStableFunc(cats, func(a, b htmlCount) int { return b.Count - a.Count })
	p.CategoryBars = chart(cats, func(string) string { return "cat" })

	states := map[string]bool{}
	allCats := map[string]bool{}
	allTypes := map[string]bool{}
	for _, e := range r.Entries {
		row := htmlRow{
			Severity: e.Severity.String(), SeverityRank: fmt.Sprint(int(e.Severity)),
			Title: e.Title, Category: e.Category, Type: e.FindingTypeID,
			ResourceType: e.Resource.Type, ResourceID: e.Resource.ID, ResourceName: e.Resource.Name,
			State: string(e.State), Message: e.Message, Remediation: e.Remediation,
			Fingerprint: e.Fingerprint, Key: e.Key, Waiver: e.Waiver,
		}
		if e.FirstSeen != 0 {
			row.FirstSeen = timestamp(e.FirstSeen)
		}
		if e.LastSeen != 0 {
			row.LastSeen = timestamp(e.LastSeen)
		}
		if r.Waivers != nil {
			row.Waived = "open"
			if e.Waiver != nil {
				row.Waived = "waived"
			}
		}
		if ev := compact(e.Evidence); ev != nil {
			var b bytes.Buffer
			if json.Indent(&b, ev, "", "  ") == nil {
				row.Evidence = b.String()
			}
		}
		p.Rows = append(p.Rows, row)
		allCats[e.Category] = true
		allTypes[e.Resource.Type] = true
		if e.State != "" {
			states[string(e.State)] = true
		}
	}
	p.Categories = slices.Sorted(maps.Keys(allCats))
	p.Types = slices.Sorted(maps.Keys(allTypes))
	p.Compliance = htmlCompliance(r)
	for _, s := range []BaselineState{StateNew, StateChanged, StateUnchanged, StateAbsent} {
		if states[string(s)] {
			p.States = append(p.States, string(s))
		}
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, p); err != nil {
		return fmt.Errorf("render HTML report: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
