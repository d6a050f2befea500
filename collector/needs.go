package collector

import (
	"slices"

	"github.com/samber/lo"

	"github.com/openai-casb/openai-casb/inventory"
)

// Reads reports whether a collection with these options reads a list:
// every list when Sources is nil, else the listed ones and those they
// depend on.
func (o *Options) Reads(source string) bool {
	if o.Sources == nil || slices.Contains(o.Sources, source) {
		return true
	}
	switch source {
	case inventory.SourceProjects:
		return o.Reads(inventory.SourceProjectAPIKeys) || o.Reads(inventory.SourceProjectServiceAccounts) || o.Reads(inventory.SourceProjectUsers) ||
			slices.ContainsFunc(projectRoutes, func(r estateRoute) bool { return o.Reads(r.source) })
	case inventory.SourceGroups:
		return o.Reads(inventory.SourceGroupUsers) || o.Reads(inventory.SourceGroupRoles)
	case inventory.SourceUsers:
		return o.Reads(inventory.SourceUserRoles)
	case inventory.SourceGPTs:
		return o.DLP != nil // for their knowledge files
	}
	// DLP's own lists are governed by DLP.
	return o.DLP != nil && slices.Contains(fileSources, source)
}

func (c *collection) wants(source string) bool { return c.o.Reads(source) }

// skipUnwanted marks the lists that were not read as skipped, with why.
func (c *collection) skipUnwanted(inv *inventory.Inventory) {
	names := []string{inventory.SourceAuditLogs}
	for name := range inv.Sources {
		names = append(names, name)
	}
	for _, name := range names {
		if s, ok := inv.Sources[name]; !c.wants(name) && (!ok || s.Status != inventory.StatusSkipped) {
			inv.Sources[name] = inventory.Source{Status: inventory.StatusSkipped, Reason: lo.ToPtr(inventory.ReasonNotNeeded)}
		}
	}
}
