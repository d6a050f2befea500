package evaluator

import (
	"fmt"
	"strings"
)

// Severity ranks findings. The zero value is no severity: nothing is below
// Low, which makes it the "never fail" threshold of --fail-on.
type Severity int

// Severities, lowest first.
const (
	SeverityNone Severity = iota
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = [...]string{"none", "low", "medium", "high", "critical"}

// Severities lists the real severities, most severe first.
var Severities = []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow}

func (s Severity) String() string {
	if s < SeverityNone || s > SeverityCritical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// MarshalText writes the lowercase name, the JSON contract's form.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ParseSeverity reads critical, high, medium or low, in any case.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames[1:] {
		if strings.EqualFold(s, n) {
			return Severity(i + 1), nil
		}
	}
	return SeverityNone, fmt.Errorf("unknown severity %q: want critical, high, medium or low", s)
}
