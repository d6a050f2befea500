package inventory

// The derivation of a user's last activity lives here, once: the collector
// derives it from what the APIs sent, the simulator from the organization
// it makes up, and both must agree.

// OwnedKeysLastUsed maps each user id to the newest last_used_at of the
// project API keys the user owns (owner type user). Keys never used, and
// keys without an owner id, count for no one.
func OwnedKeysLastUsed(projects []Project) map[string]int64 {
	owned := map[string]int64{}
	for _, p := range projects {
		for _, k := range p.APIKeys {
			if k.Owner == nil || k.Owner.Type != "user" || k.Owner.ID == nil || k.LastUsedAt == nil {
				continue
			}
			if *k.LastUsedAt > owned[*k.Owner.ID] {
				owned[*k.Owner.ID] = *k.LastUsedAt
			}
		}
	}
	return owned
}

// Newest is the newest of the signals, what last_activity_at holds: nil
// when none shows any activity.
func (s ActivitySignals) Newest() *int64 {
	var last *int64
	for _, t := range []*int64{s.AuditLogLoginAt, s.APIKeyLastUsedAt, s.OwnedProjectKeysLastUsedAt} {
		if t != nil && (last == nil || *t > *last) {
			v := *t
			last = &v
		}
	}
	return last
}
