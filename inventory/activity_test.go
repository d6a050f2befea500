package inventory_test

import (
	"testing"

	"github.com/samber/lo"
	"github.com/stretchr/testify/assert"

	"github.com/openai-casb/openai-casb/inventory"
)

func TestOwnedKeysLastUsed(t *testing.T) {
	user := func(id string) *inventory.KeyOwner { return &inventory.KeyOwner{Type: "user", ID: lo.ToPtr(id)} }
	projects := []inventory.Project{
		{APIKeys: []inventory.ProjectAPIKey{
			{ID: "a", LastUsedAt: lo.ToPtr(int64(10)), Owner: user("u1")},
			{ID: "b", LastUsedAt: lo.ToPtr(int64(30)), Owner: user("u1")},
			{ID: "c", LastUsedAt: nil, Owner: user("u2")},
		}},
		{APIKeys: []inventory.ProjectAPIKey{
			{ID: "d", LastUsedAt: lo.ToPtr(int64(20)), Owner: user("u1")},
			{ID: "e", LastUsedAt: lo.ToPtr(int64(50)), Owner: &inventory.KeyOwner{Type: "service_account", ID: lo.ToPtr("u3")}},
			{ID: "f", LastUsedAt: lo.ToPtr(int64(60)), Owner: &inventory.KeyOwner{Type: "user"}},
			{ID: "g", LastUsedAt: lo.ToPtr(int64(70))},
		}},
	}
	assert.Equal(t, map[string]int64{"u1": 30}, inventory.OwnedKeysLastUsed(projects),
		"the newest use per user; unused keys, service accounts' keys and keys without an owner id count for no one")
}

func TestNewestSignal(t *testing.T) {
	cases := []struct {
		name string
		s    inventory.ActivitySignals
		want *int64
	}{
		{"none", inventory.ActivitySignals{}, nil},
		{"login only", inventory.ActivitySignals{AuditLogLoginAt: lo.ToPtr(int64(5))}, lo.ToPtr(int64(5))},
		{"key use is newest", inventory.ActivitySignals{AuditLogLoginAt: lo.ToPtr(int64(5)), APIKeyLastUsedAt: lo.ToPtr(int64(9)), OwnedProjectKeysLastUsedAt: lo.ToPtr(int64(7))}, lo.ToPtr(int64(9))},
		{"owned keys newest", inventory.ActivitySignals{APIKeyLastUsedAt: lo.ToPtr(int64(1)), OwnedProjectKeysLastUsedAt: lo.ToPtr(int64(2))}, lo.ToPtr(int64(2))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { assert.Equal(t, c.want, c.s.Newest()) })
	}
}
