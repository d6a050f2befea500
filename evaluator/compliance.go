package evaluator

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/openai-casb/openai-casb/inventory"
)

// Framework is a compliance framework that finding types map themselves
// to, in METADATA: custom.frameworks.<ID>: [control ids].
type Framework struct {
	ID      string
	Name    string
	Aliases []string
	// Controls names the controls the built-in catalog maps; a user's rule
	// may map others, listed without a title.
	Controls map[string]string
}

// Frameworks are the frameworks the built-in catalog maps.
var Frameworks = []Framework{
	{ID: "cis-v8", Name: "CIS Critical Security Controls v8", Aliases: []string{"cis"}, Controls: map[string]string{
		"1.1":   "Establish and Maintain Detailed Enterprise Asset Inventory",
		"2.5":   "Allowlist Authorized Software",
		"2.7":   "Allowlist Authorized Scripts",
		"3.1":   "Establish and Maintain a Data Management Process",
		"3.3":   "Configure Data Access Control Lists",
		"3.4":   "Enforce Data Retention",
		"3.10":  "Encrypt Sensitive Data in Transit",
		"3.11":  "Encrypt Sensitive Data at Rest",
		"3.13":  "Deploy a Data Loss Prevention Solution",
		"4.1":   "Establish and Maintain a Secure Configuration Process",
		"4.8":   "Uninstall or Disable Unnecessary Services on Enterprise Assets and Software",
		"5.2":   "Use Unique Passwords",
		"5.3":   "Disable Dormant Accounts",
		"5.4":   "Restrict Administrator Privileges to Dedicated Administrator Accounts",
		"6.1":   "Establish an Access Granting Process",
		"6.2":   "Establish an Access Revoking Process",
		"6.3":   "Require MFA for Externally-Exposed Applications",
		"6.8":   "Define and Maintain Role-Based Access Control",
		"8.2":   "Collect Audit Logs",
		"8.5":   "Collect Detailed Audit Logs",
		"9.3":   "Maintain and Enforce Network-Based URL Filters",
		"12.1":  "Ensure Network Infrastructure is Up-to-Date",
		"13.10": "Perform Application Layer Filtering",
		"15.1":  "Establish and Maintain an Inventory of Service Providers",
		"16.1":  "Establish and Maintain a Secure Application Development Process",
	}},
	{ID: "nist-csf-2.0", Name: "NIST Cybersecurity Framework 2.0", Aliases: []string{"nist-csf", "csf"}, Controls: map[string]string{
		"GV.OC-03": "Legal, regulatory, and contractual requirements are understood and managed",
		"GV.SC-04": "Suppliers are known and prioritized by criticality",
		"ID.AM-08": "Systems, hardware, software, services, and data are managed throughout their life cycles",
		"PR.AA-01": "Identities and credentials for authorized users, services, and hardware are managed",
		"PR.AA-03": "Users, services, and hardware are authenticated",
		"PR.AA-05": "Access permissions, entitlements, and authorizations are defined, managed, and enforced (least privilege, separation of duties)",
		"PR.DS-01": "The confidentiality, integrity, and availability of data-at-rest are protected",
		"PR.DS-02": "The confidentiality, integrity, and availability of data-in-transit are protected",
		"PR.DS-10": "The confidentiality, integrity, and availability of data-in-use are protected",
		"PR.IR-04": "Adequate resource capacity to ensure availability is maintained",
		"PR.PS-01": "Configuration management practices are established and applied",
		"PR.PS-04": "Log records are generated and made available for continuous monitoring",
		"DE.CM-03": "Personnel activity and technology usage are monitored to find potentially adverse events",
	}},
	{ID: "iso-27001-2022", Name: "ISO/IEC 27001:2022 Annex A", Aliases: []string{"iso-27001", "iso27001"}, Controls: map[string]string{
		"A.5.9":  "Inventory of information and other associated assets",
		"A.5.10": "Acceptable use of information and other associated assets",
		"A.5.12": "Classification of information",
		"A.5.14": "Information transfer",
		"A.5.15": "Access control",
		"A.5.16": "Identity management",
		"A.5.17": "Authentication information",
		"A.5.18": "Access rights",
		"A.5.19": "Information security in supplier relationships",
		"A.5.23": "Information security for use of cloud services",
		"A.5.33": "Protection of records",
		"A.5.34": "Privacy and protection of PII",
		"A.6.5":  "Responsibilities after termination or change of employment",
		"A.8.2":  "Privileged access rights",
		"A.8.5":  "Secure authentication",
		"A.8.6":  "Capacity management",
		"A.8.9":  "Configuration management",
		"A.8.10": "Information deletion",
		"A.8.12": "Data leakage prevention",
		"A.8.15": "Logging",
		"A.8.16": "Monitoring activities",
		"A.8.23": "Web filtering",
		"A.8.24": "Use of cryptography",
		"A.8.26": "Application security requirements",
		"A.8.28": "Secure coding",
	}},
	{ID: "soc2-2017", Name: "SOC 2 Trust Services Criteria (2017)", Aliases: []string{"soc2"}, Controls: map[string]string{
		"A1.1":  "Capacity is maintained, monitored and evaluated to meet objectives",
		"C1.1":  "Confidential information is identified and maintained to meet objectives",
		"C1.2":  "Confidential information is disposed of to meet objectives",
		"CC6.1": "Logical access security software, infrastructure and architectures protect information assets",
		"CC6.2": "Users are registered and authorized before access is granted, and removed when access is no longer authorized",
		"CC6.3": "Access is authorized, modified or removed based on roles, responsibilities and least privilege",
		"CC6.6": "Logical access security measures protect against threats from sources outside the system boundaries",
		"CC6.7": "The transmission, movement and removal of information is restricted to authorized users and processes",
		"CC6.8": "Controls prevent or detect the introduction of unauthorized or malicious software",
		"CC7.2": "System components are monitored for anomalies indicative of malicious acts, natural disasters and errors",
		"CC8.1": "Changes to infrastructure, data, software and procedures are authorized, tested and approved",
		"CC9.2": "Risks associated with vendors and business partners are assessed and managed",
	}},
	{ID: "owasp-llm-2025", Name: "OWASP Top 10 for LLM Applications 2025", Aliases: []string{"owasp-llm"}, Controls: map[string]string{
		"LLM01:2025": "Prompt Injection",
		"LLM02:2025": "Sensitive Information Disclosure",
		"LLM03:2025": "Supply Chain",
		"LLM04:2025": "Data and Model Poisoning",
		"LLM05:2025": "Improper Output Handling",
		"LLM06:2025": "Excessive Agency",
		"LLM07:2025": "System Prompt Leakage",
		"LLM08:2025": "Vector and Embedding Weaknesses",
		"LLM09:2025": "Misinformation",
		"LLM10:2025": "Unbounded Consumption",
	}},
}

// FrameworkIDs lists the ids of Frameworks, for messages.
func FrameworkIDs() []string {
	ids := make([]string, 0, len(Frameworks))
	for _, f := range Frameworks {
		ids = append(ids, f.ID)
	}
	return ids
}

// LookupFramework finds a framework by id or alias, ignoring case. A
// framework only a user's policies map (an id in their METADATA) is found
// too, from the catalog, with no control titles.
func LookupFramework(name string, catalog []FindingType) (Framework, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, f := range Frameworks {
		if f.ID == n {
			return f, nil
		}
		for _, a := range f.Aliases {
			if a == n {
				return f, nil
			}
		}
	}
	for _, ft := range catalog {
		if _, ok := ft.Frameworks[n]; ok {
			return Framework{ID: n, Name: n}, nil
		}
	}
	return Framework{}, fmt.Errorf("unknown framework %q: want one of %s (or one your policies map in custom.frameworks)", name, strings.Join(FrameworkIDs(), ", "))
}

// Control statuses.
const (
	ControlPass        = "pass"
	ControlFail        = "fail"
	ControlNotAssessed = "not-assessed"
)

// Control is one control of a framework and how the inventory fares on it.
type Control struct {
	ID    string `json:"id"`
	Title string `json:"title,omitempty"`
	// Status is pass (no finding of a mapped type, every source it needs
	// read completely), fail (at least one finding), or not-assessed (no
	// finding, but a source a mapped finding type needs was not read
	// completely, so silence proves nothing); empty without an inventory.
	Status       string   `json:"status,omitempty"`
	FindingTypes []string `json:"finding_types"`
	// Missing names the sources that were not read completely.
	Missing  []string  `json:"missing_sources,omitempty"`
	Findings []Finding `json:"-"`
}

// ComplianceOf maps a catalog onto one framework. With res (an evaluation)
// each control gets its status and failing findings; without, the
// controls and the finding types that bear on them.
func ComplianceOf(fw Framework, catalog []FindingType, res *Result) []Control {
	byControl := map[string]*Control{}
	types := map[string]FindingType{}
	for _, ft := range catalog {
		for _, id := range ft.Frameworks[fw.ID] {
			c, ok := byControl[id]
			if !ok {
				c = &Control{ID: id, Title: fw.Controls[id]}
				byControl[id] = c
			}
			c.FindingTypes = append(c.FindingTypes, ft.ID)
			types[ft.ID] = ft
		}
	}
	out := make([]Control, 0, len(byControl))
	for _, c := range byControl {
		sort.Strings(c.FindingTypes)
		if res != nil {
			assess(c, types, res)
		}
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return controlLess(out[i].ID, out[j].ID) })
	return out
}

func assess(c *Control, types map[string]FindingType, res *Result) {
	mapped := map[string]bool{}
	for _, id := range c.FindingTypes {
		mapped[id] = true
	}
	for _, f := range res.Findings {
		if mapped[f.FindingTypeID] {
			c.Findings = append(c.Findings, f)
		}
	}
	if len(c.Findings) > 0 {
		c.Status = ControlFail
		return
	}
	missing := map[string]bool{}
	for _, id := range c.FindingTypes {
		for _, s := range types[id].Sources {
			if src, ok := res.Header.Sources[s]; !ok || src.Status != inventory.StatusComplete {
				missing[s] = true
			}
		}
	}
	if len(missing) > 0 {
		c.Status = ControlNotAssessed
		for s := range missing {
			c.Missing = append(c.Missing, s)
		}
		sort.Strings(c.Missing)
		return
	}
	c.Status = ControlPass
}

// controlLess orders control ids the way their frameworks number them:
// digits as numbers (CIS 5.2 before 5.10, A.5.9 before A.5.10).
func controlLess(a, b string) bool {
	pa, pb := idParts(a), idParts(b)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] == pb[i] {
			continue
		}
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		if ea == nil && eb == nil {
			return na < nb
		}
		return pa[i] < pb[i]
	}
	return len(pa) < len(pb)
}

// idParts splits an id into runs of digits and runs of anything else.
func idParts(s string) []string {
	var parts []string
	start := 0
	for i := 1; i <= len(s); i++ {
		if i == len(s) || isDigit(s[i]) != isDigit(s[i-1]) {
			parts = append(parts, s[start:i])
			start = i
		}
	}
	return parts
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
