package evaluator_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/openai-casb/openai-casb/evaluator"
)

// Each member decides the order only when every member before it is equal,
// whatever the members after it say: the order the reports promise.
func TestCompareFindingsOrdersMemberByMember(t *testing.T) {
	// Each pair differs in one member (a before b) and, in every later
	// member, the other way round (b before a).
	set := []func(f *evaluator.Finding, first bool){
		func(f *evaluator.Finding, first bool) {
			f.Severity = pick(first, evaluator.SeverityHigh, evaluator.SeverityLow)
		},
		func(f *evaluator.Finding, first bool) { f.Title = pick(first, "A", "B") },
		func(f *evaluator.Finding, first bool) { f.FindingTypeID = pick(first, "a", "b") },
		func(f *evaluator.Finding, first bool) { f.Resource.Type = pick(first, "a", "b") },
		func(f *evaluator.Finding, first bool) { f.Resource.ID = pick(first, "a", "b") },
		func(f *evaluator.Finding, first bool) { f.Key = pick(first, "a", "b") },
		func(f *evaluator.Finding, first bool) { f.Message = pick(first, "a", "b") },
		func(f *evaluator.Finding, first bool) { f.Resource.Name = pick(first, "a", "b") },
		func(f *evaluator.Finding, first bool) {
			f.Evidence = json.RawMessage(pick(first, `{"a":1}`, `{"b":1}`))
		},
	}
	for i := range set {
		var a, b evaluator.Finding
		for j, s := range set {
			switch {
			case j < i:
				s(&a, true)
				s(&b, true)
			case j == i:
				s(&a, true)
				s(&b, false)
			default:
				s(&a, false)
				s(&b, true)
			}
		}
		assert.Negative(t, evaluator.CompareFindings(&a, &b), "member %d", i)
		assert.Positive(t, evaluator.CompareFindings(&b, &a), "member %d", i)
		assert.Zero(t, evaluator.CompareFindings(&a, &a), "member %d", i)
	}
}

func pick[T any](first bool, a, b T) T {
	if first {
		return a
	}
	return b
}
