// Package waiver reads a waivers file (YAML) and applies it to the entries
// of a report: a finding an active waiver selects is waived, an expired
// waiver is reported and waives nothing, a waiver that selects nothing is
// reported as unused. The inventory and the findings themselves never
// change; only their reporting does.
package waiver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/openai-casb/openai-casb/report"
)

// DefaultFile is the waivers file picked up from the working directory
// when no --waivers is given.
const DefaultFile = "openai-casb-waivers.yaml"

// DefaultMaxDays is how far ahead a waiver may expire unless the file says
// otherwise.
const DefaultMaxDays = 365

// File is a parsed waivers file.
type File struct {
	Path string
	// MaxDays is how many days after the evaluation date a waiver may
	// expire at most.
	MaxDays int
	// maxDaysLine is where max_days is written (0: not written).
	maxDaysLine int
	Waivers     []Waiver
}

// Waiver is one entry of the file.
type Waiver struct {
	report.Waiver
	expires time.Time
	// expiresLine is where expires is written, for errors.
	expiresLine int
	resource    *regexp.Regexp
}

// Error is a waivers file that cannot be used: which file, line and field,
// what is wrong.
type Error struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

// Load reads and checks a waivers file.
func Load(path string) (*File, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read waivers: %w", err)
	}
	return Parse(path, raw)
}

var fields = []string{"finding_type_id", "category", "resource", "type", "organization_id", "reason", "owner", "expires"}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse reads a waivers file's content; name labels errors. Every field is
// checked here except how far ahead expires is, which depends on the
// evaluation's date (see Check).
func Parse(name string, raw []byte) (*File, error) {
	f := &File{Path: name, MaxDays: DefaultMaxDays}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: name, Line: 1, Msg: "the file is empty: want a mapping with waivers: [...]"}
		}
		msg := err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			return nil, &Error{File: name, Line: line, Msg: "not valid YAML: " + m[2]}
		}
		return nil, &Error{File: name, Line: 1, Msg: "not valid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, &Error{File: name, Line: root.Line, Msg: "want a mapping with max_days (optional) and waivers: [...]"}
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "max_days":
			n, err := strconv.Atoi(v.Value)
			if v.Kind != yaml.ScalarNode || err != nil || n < 1 {
				return nil, &Error{File: name, Line: v.Line, Field: "max_days", Msg: fmt.Sprintf("want a whole number of days, at least 1, got %q", v.Value)}
			}
			f.MaxDays, f.maxDaysLine = n, v.Line
		case "waivers":
			list = v
		default:
			return nil, &Error{File: name, Line: k.Line, Field: k.Value, Msg: "unknown field: a waivers file has max_days and waivers"}
		}
	}
	if list == nil {
		return nil, &Error{File: name, Line: root.Line, Field: "waivers", Msg: "missing: want a list of waivers"}
	}
	if list.Kind != yaml.SequenceNode {
		if list.Tag == "!!null" {
			return f, nil
		}
		return nil, &Error{File: name, Line: list.Line, Field: "waivers", Msg: "want a list of waivers"}
	}
	for i, item := range list.Content {
		w, err := parseWaiver(name, i, item)
		if err != nil {
			return nil, err
		}
		f.Waivers = append(f.Waivers, w)
	}
	return f, nil
}

func parseWaiver(name string, i int, item *yaml.Node) (Waiver, error) {
	at := fmt.Sprintf("waivers[%d]", i)
	if item.Kind != yaml.MappingNode {
		return Waiver{}, &Error{File: name, Line: item.Line, Field: at, Msg: "want a mapping with finding_type_id or category, resource, reason and expires"}
	}
	w := Waiver{Waiver: report.Waiver{File: name, Line: item.Line}}
	seen := map[string]int{}
	for j := 0; j+1 < len(item.Content); j += 2 {
		k, v := item.Content[j], item.Content[j+1]
		field := at + "." + k.Value
		if !slices.Contains(fields, k.Value) {
			return Waiver{}, &Error{File: name, Line: k.Line, Field: field, Msg: "unknown field: a waiver has " + strings.Join(fields, ", ")}
		}
		if _, dup := seen[k.Value]; dup {
			return Waiver{}, &Error{File: name, Line: k.Line, Field: field, Msg: fmt.Sprintf("given twice (also on line %d)", seen[k.Value])}
		}
		seen[k.Value] = k.Line
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			return Waiver{}, &Error{File: name, Line: v.Line, Field: field, Msg: "want a single value"}
		}
		val := strings.TrimSpace(v.Value)
		if val == "" {
			return Waiver{}, &Error{File: name, Line: v.Line, Field: field, Msg: "is empty"}
		}
		switch k.Value {
		case "finding_type_id":
			w.FindingTypeID = val
		case "category":
			w.Category = val
		case "resource":
			w.Resource = val
		case "type":
			w.Type = val
		case "organization_id":
			w.OrganizationID = val
		case "reason":
			w.Reason = val
		case "owner":
			w.Owner = val
		case "expires":
			t, err := time.Parse(time.DateOnly, val)
			if err != nil {
				return Waiver{}, &Error{File: name, Line: v.Line, Field: field, Msg: fmt.Sprintf("want a date such as 2027-03-01, got %q", val)}
			}
			w.Expires, w.expires, w.expiresLine = val, t, v.Line
		}
	}
	need := func(field, what string) error {
		return &Error{File: name, Line: item.Line, Field: at + "." + field, Msg: "missing: " + what}
	}
	switch {
	case w.FindingTypeID == "" && w.Category == "":
		return Waiver{}, need("finding_type_id", "a waiver names a finding_type_id or a category (see `openai-casb policies list`)")
	case w.FindingTypeID != "" && w.Category != "":
		return Waiver{}, &Error{File: name, Line: item.Line, Field: at, Msg: "give finding_type_id or category, not both"}
	case w.Resource == "":
		return Waiver{}, need("resource", "a resource id, or a glob over resource ids or names such as key_terraform* (* for every resource)")
	case w.Reason == "":
		return Waiver{}, need("reason", "why the risk is accepted")
	case w.Expires == "":
		return Waiver{}, need("expires", "the date the waiver ends, such as 2027-03-01")
	}
	w.resource = glob(w.Resource)
	return w, nil
}

// glob compiles a resource pattern: * matches any run of characters, ?
// one character, everything else itself. A pattern without either is an
// exact id or name.
func glob(p string) *regexp.Regexp {
	var sb strings.Builder
	sb.WriteString("^")
	for _, r := range p {
		switch r {
		case '*':
			sb.WriteString(".*")
		case '?':
			sb.WriteString(".")
		default:
			sb.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	sb.WriteString("$")
	return regexp.MustCompile(sb.String())
}

// Check refuses waivers that expire more than MaxDays after the
// evaluation's date.
func (f *File) Check(now time.Time) error {
	day := now.UTC().Truncate(24 * time.Hour)
	limit := day.AddDate(0, 0, f.MaxDays)
	for i, w := range f.Waivers {
		if w.expires.After(limit) {
			return &Error{File: f.Path, Line: w.expiresLine, Field: fmt.Sprintf("waivers[%d].expires", i),
				Msg: fmt.Sprintf("%s is more than max_days (%d) after the evaluation date %s: accept a risk for at most %d days, then review it (or raise max_days in the file)",
					w.Expires, f.MaxDays, day.Format(time.DateOnly), f.MaxDays)}
		}
	}
	return nil
}

// Expired reports whether the waiver no longer applies at now: from the
// first instant (UTC) of its expires date.
func (w *Waiver) Expired(now time.Time) bool { return !now.Before(w.expires) }

// Matches reports whether the waiver selects a finding of an organization.
func (w *Waiver) Matches(orgID string, e *report.Entry) bool {
	if w.FindingTypeID != "" && !strings.EqualFold(w.FindingTypeID, e.FindingTypeID) {
		return false
	}
	if w.Category != "" && !strings.EqualFold(w.Category, e.Category) {
		return false
	}
	if w.Type != "" && w.Type != e.Resource.Type {
		return false
	}
	if w.OrganizationID != "" && w.OrganizationID != orgID {
		return false
	}
	return w.resource.MatchString(e.Resource.ID) || (e.Resource.Name != "" && w.resource.MatchString(e.Resource.Name))
}
