package inventory_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/openai-casb/openai-casb/inventory"
)

func TestOwnedKeysLastUsed(t *testing.T) {
	user := func(id string) *inventory.KeyOwner { return &inventory.KeyOwner{Type: "user", ID: ptr(id)} }
	projects := []inventory.Project{
		{APIKeys: []inventory.ProjectAPIKey{
			{ID: "a", LastUsedAt: ptr(int64(10)), Owner: user("u1")},
			{ID: "b", LastUsedAt: ptr(int64(30)), Owner: user("u1")},
			{ID: "c", LastUsedAt: nil, Owner: user("u2")},
		}},
		{APIKeys: []inventory.ProjectAPIKey{
			{ID: "d", LastUsedAt: ptr(int64(20)), Owner: user("u1")},
			{ID: "e", LastUsedAt: ptr(int64(50)), Owner: &inventory.KeyOwner{Type: "service_account", ID: ptr("u3")}},
			{ID: "f", LastUsedAt: ptr(int64(60)), Owner: &inventory.KeyOwner{Type: "user"}},
			{ID: "g", LastUsedAt: ptr(int64(70))},
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
		{"login only", inventory.ActivitySignals{AuditLogLoginAt: ptr(int64(5))}, ptr(int64(5))},
		{"key use is newest", inventory.ActivitySignals{AuditLogLoginAt: ptr(int64(5)), APIKeyLastUsedAt: ptr(int64(9)), OwnedProjectKeysLastUsedAt: ptr(int64(7))}, ptr(int64(9))},
		{"owned keys newest", inventory.ActivitySignals{APIKeyLastUsedAt: ptr(int64(1)), OwnedProjectKeysLastUsedAt: ptr(int64(2))}, ptr(int64(2))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { assert.Equal(t, c.want, c.s.Newest()) })
	}
}
