package notify

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/openai-casb/openai-casb/report"
)

// Message is the generic webhook payload, and what the Slack and Teams
// presets are drawn from.
type Message struct {
	Text         string           `json:"text"`
	Tool         messageTool      `json:"tool"`
	Organization messageOrg       `json:"organization"`
	CollectedAt  string           `json:"collected_at"`
	Reason       string           `json:"reason"`
	Count        int              `json:"count"`
	Findings     []messageFinding `json:"findings"`
	More         int              `json:"more"`
	Baseline     *messageBaseline `json:"baseline,omitempty"`
}

type messageTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type messageOrg struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

type messageBaseline struct {
	File      string `json:"file"`
	New       int    `json:"new"`
	Changed   int    `json:"changed"`
	Unchanged int    `json:"unchanged"`
	Absent    int    `json:"absent"`
}

type messageFinding struct {
	Severity      string          `json:"severity"`
	Title         string          `json:"title"`
	FindingTypeID string          `json:"finding_type_id"`
	Resource      messageResource `json:"resource"`
	Message       string          `json:"message"`
	Remediation   string          `json:"remediation"`
	Fingerprint   string          `json:"fingerprint"`
	BaselineState string          `json:"baseline_state,omitempty"`
}

type messageResource struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

func messageOf(r *report.Report, findings []report.Entry, max int) Message {
	if max <= 0 {
		max = 20
	}
	m := Message{
		Tool:         messageTool{r.Tool.Name, r.Tool.Version},
		Organization: messageOrg{ID: r.Inventory.Organization.ID},
		CollectedAt:  time.Unix(r.Inventory.CollectedAt, 0).UTC().Format(time.RFC3339),
		Count:        len(findings),
		Findings:     []messageFinding{},
	}
	if n := r.Inventory.Organization.Name; n != nil {
		m.Organization.Name = *n
	}
	org := m.Organization.ID
	if m.Organization.Name != "" {
		org = m.Organization.Name + " (" + org + ")"
	}
	noun := "findings"
	if len(findings) == 1 {
		noun = "finding"
	}
	if b := r.Baseline; b != nil {
		m.Baseline = &messageBaseline{b.File, b.New, b.Changed, b.Unchanged, b.Absent}
		m.Reason = "new or changed since the baseline"
		m.Text = fmt.Sprintf("%s: %d new or changed %s in %s", r.Tool.Name, len(findings), noun, org)
	} else {
		m.Reason = "open findings at or above the --fail-on severity"
		m.Text = fmt.Sprintf("%s: %d %s in %s", r.Tool.Name, len(findings), noun, org)
	}
	for i, e := range findings {
		if i == max {
			m.More = len(findings) - max
			break
		}
		m.Findings = append(m.Findings, messageFinding{
			Severity: e.Severity.String(), Title: e.Title, FindingTypeID: e.FindingTypeID,
			Resource: messageResource{e.Resource.Type, e.Resource.ID, e.Resource.Name},
			Message:  e.Message, Remediation: e.Remediation, Fingerprint: e.Fingerprint, BaselineState: string(e.State),
		})
	}
	return m
}

// line is one finding as the chat presets list it.
func (f messageFinding) line() string {
	s := fmt.Sprintf("[%s] %s: %s", f.Severity, f.Title, f.Message)
	if f.BaselineState != "" {
		s += " (" + f.BaselineState + ")"
	}
	return oneLine(s)
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// slackEscape escapes the three characters Slack reads as control
// sequences (links, user and channel mentions: <@U…>, <!channel>) in the
// message's top-level text.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(oneLine(s))
}

type slackMessage struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type string     `json:"type"`
	Text *slackText `json:"text,omitempty"`
}

type slackText struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	Emoji *bool  `json:"emoji,omitempty"`
}

// slackOf is a Block Kit message: the summary as a header, the findings as
// plain text (Slack renders no markup and resolves no mention in
// plain_text), and the summary again as the notification's fallback text.
func slackOf(m Message) slackMessage {
	var b strings.Builder
	for _, f := range m.Findings {
		b.WriteString("• " + f.line() + "\n")
	}
	if m.More > 0 {
		fmt.Fprintf(&b, "…and %d more\n", m.More)
	}
	no := false
	out := slackMessage{Text: slackEscape(m.Text), Blocks: []slackBlock{
		// Slack limits a header to 150 characters, a section to 3000.
		{Type: "header", Text: &slackText{Type: "plain_text", Text: truncate(oneLine(m.Text), 150), Emoji: &no}},
	}}
	if b.Len() > 0 {
		out.Blocks = append(out.Blocks, slackBlock{Type: "section", Text: &slackText{Type: "plain_text", Text: truncate(b.String(), 2900), Emoji: &no}})
	}
	return out
}

type teamsMessage struct {
	Type        string            `json:"type"`
	Attachments []teamsAttachment `json:"attachments"`
}

type teamsAttachment struct {
	ContentType string    `json:"contentType"`
	Content     teamsCard `json:"content"`
}

type teamsCard struct {
	Schema  string      `json:"$schema"`
	Type    string      `json:"type"`
	Version string      `json:"version"`
	Body    []teamsText `json:"body"`
}

type teamsText struct {
	Type   string `json:"type"`
	Text   string `json:"text"`
	Wrap   bool   `json:"wrap"`
	Weight string `json:"weight,omitempty"`
	Size   string `json:"size,omitempty"`
}

// teamsEscape keeps Adaptive Card markdown (a subset, without HTML) from
// reading inventory text as links or emphasis.
func teamsEscape(s string) string {
	return strings.NewReplacer("\\", "\\\\", "[", "\\[", "]", "\\]", "*", "\\*", "_", "\\_").Replace(oneLine(s))
}

// teamsOf is an Adaptive Card in the message envelope that Teams' incoming
// webhooks (Workflows, and the older connectors) accept.
func teamsOf(m Message) teamsMessage {
	card := teamsCard{
		Schema: "http://adaptivecards.io/schemas/adaptive-card.json", Type: "AdaptiveCard", Version: "1.4",
		Body: []teamsText{{Type: "TextBlock", Text: teamsEscape(m.Text), Wrap: true, Weight: "Bolder", Size: "Medium"}},
	}
	for _, f := range m.Findings {
		card.Body = append(card.Body, teamsText{Type: "TextBlock", Text: "- " + teamsEscape(f.line()), Wrap: true})
	}
	if m.More > 0 {
		card.Body = append(card.Body, teamsText{Type: "TextBlock", Text: fmt.Sprintf("…and %d more", m.More), Wrap: true})
	}
	return teamsMessage{Type: "message", Attachments: []teamsAttachment{{ContentType: "application/vnd.microsoft.card.adaptive", Content: card}}}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
