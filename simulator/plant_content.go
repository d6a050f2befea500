package simulator

import (
	"strings"

	"github.com/samber/lo"

	"github.com/openai-casb/openai-casb/inventory"
)

// Planted DLP values. Every one is fake: made up for the simulator, or an
// issuer's published test value. They are exported so that tests can prove
// none of them ever reaches an inventory, a report or a log.
var (
	plantedOpenAIKey   = "sk-proj-SIMULATED0fake4KEY8" + "T3BlbkFJ" + "notREAL2demoONLY6abcXYZ7ghiJKL1mno" // with OpenAI's marker
	plantedAWSKeyID    = "AKIAQ3SIMULATED7DEMO"
	plantedAWSSecret   = "wJalrXUtnSIM/K7MDENG/bPxRfiDEMO0fakeKEY1"
	plantedGitHubToken = "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" // with GitHub's checksum
	plantedPEMBody     = "MIIEowIBAAKCAQEASIMULATEDdemoKEYnotREALsimulatedDEMOkeyNOTreal0123"
	plantedJWT         = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzaW11bGF0b3IiLCJyb2xlIjoiZGVtbyJ9.c2ltdWxhdGVkLXNpZ25hdHVyZS1ub3QtcmVhbA"
	plantedSlackToken  = "xoxb-112233445566-6655443322110-SIMULATEDdemoToken0abcd"
	plantedGoogleKey   = "AIzaSySIMULATED0demo1KEY2notREAL3abc456"
	plantedCards       = []string{"4111111111111111", "5500-0000-0000-0004", "3782 822463 10005", "4012888888881881"}
	plantedIBANs       = []string{"GB82WEST12345698765432", "FR1420041010050500013M02606", "GB33BUKB20201555555555"}
	plantedSSNs        = []string{"536-22-1234", "536 22 4321"}
	plantedNINOs       = []string{"JG103759A", "AB 12 34 56 C"}
	plantedOldKey      = "sk-proj-SIMULATEDoldCONVERSATION0outsideWINDOW1notREAL2xyz"
)

// PlantedSensitiveValues lists every sensitive value the planted files
// hold, as written in them.
func PlantedSensitiveValues() []string {
	out := []string{plantedOpenAIKey, plantedAWSKeyID, plantedAWSSecret, plantedGitHubToken, plantedPEMBody, plantedJWT,
		plantedSlackToken, plantedGoogleKey, plantedOldKey, plantedGPTInstructionsKey, plantedGPTActionToken}
	for _, group := range [][]string{plantedCards, plantedIBANs, plantedSSNs, plantedNINOs} {
		out = append(out, group...)
	}
	return out
}

// Ids of the planted files that fire DLP findings, by location.
const (
	PlantedGPTSecretsFile     = "file-planted-deploy-notes"
	PlantedGPTHandbookFile    = "file-planted-handbook"
	PlantedProjectRefundsFile = "file-planted-refunds"
	PlantedProjectPayrollFile = "file-planted-payroll"
	PlantedConversationForms  = "file-planted-forms"
	PlantedConversationBudget = "file-planted-budget"
)

// plantGPTFiles gives the planted Policy Helper GPT its knowledge files.
func plantGPTFiles(inv *inventory.Inventory, now int64) {
	for i := range inv.GPTs {
		g := &inv.GPTs[i]
		switch g.ID {
		case "g-planted-policy":
			g.Files = append(g.Files,
				inventory.GPTFile{ID: PlantedGPTSecretsFile, Name: lo.ToPtr("deploy-notes.md"), CreatedAt: lo.ToPtr(now - 20*Day)},
				inventory.GPTFile{ID: PlantedGPTHandbookFile, Name: lo.ToPtr("engineering-handbook.pdf"), CreatedAt: lo.ToPtr(now - 20*Day)},
				inventory.GPTFile{ID: "file-planted-faq", Name: lo.ToPtr("faq.txt"), CreatedAt: lo.ToPtr(now - 20*Day)},
			)
		case "g-planted-analyst":
			g.Files = append(g.Files, inventory.GPTFile{ID: "file-planted-sales", Name: lo.ToPtr("sales-summary.pdf"), CreatedAt: lo.ToPtr(now - 10*Day)})
		}
	}
}

// plantContent adds files that fire each DLP finding type, beside near
// misses that must not match and files that cannot be scanned: an image,
// a file over the size limit, a malformed PDF and a decompression bomb.
func plantContent(c *Content, now int64) {
	c.GPTFiles[PlantedGPTSecretsFile] = Blob{Name: "deploy-notes.md", MIMEType: "text/markdown", Data: []byte(strings.Join([]string{
		"# Deploy notes",
		"",
		"Production settings (do not share):",
		"OPENAI_API_KEY=" + plantedOpenAIKey,
		"aws_access_key_id = " + plantedAWSKeyID,
		"aws_secret_access_key = " + plantedAWSSecret,
		"GITHUB_TOKEN=" + plantedGitHubToken,
		"",
		"Placeholders in the templates look like sk-test, sk-proj-short1234, AKIA1234 and ghp_short;",
		"they are not keys. Build 4111111111111112 failed twice.",
	}, "\n"))}
	c.GPTFiles[PlantedGPTHandbookFile] = Blob{Name: "engineering-handbook.pdf", MIMEType: "application/pdf", Data: PDF(
		"Engineering handbook, chapter 7: service credentials",
		"-----BEGIN RSA PRIVATE KEY-----",
		plantedPEMBody,
		"SIMULATEDdemoKEYnotREALsimulatedDEMOkeyNOTrealSIMULATEDdemoKEY==",
		"-----END RSA PRIVATE KEY-----",
		"Session token for the staging API: "+plantedJWT,
		"Alerts bot: "+plantedSlackToken,
		"Maps: "+plantedGoogleKey,
	)}
	c.GPTFiles["file-planted-faq"] = Blob{Name: "faq.txt", MIMEType: "text/plain", Data: []byte(
		"Q: Where is the travel policy?\nA: On the intranet, under People > Policies. Ticket numbers look like 1234-5678-9012.\n")}
	c.GPTFiles["file-planted-sales"] = Blob{Name: "sales-summary.pdf", MIMEType: "application/pdf", Data: PDF(
		"Sales summary Q3", "Revenue grew 12% quarter over quarter.", "Order 4111 1111 1111 1112 was refunded.")}

	c.Projects = append(c.Projects,
		ChatGPTProject{ID: "g-p-planted-finance", Name: "Finance Ops", OwnerID: "user-planted-alice", OwnerEmail: "alice@demo.example", CreatedAt: now - 90*Day,
			Files: []StoredFile{
				{ID: PlantedProjectRefundsFile, Blob: Blob{Name: "q3-refunds.csv", MIMEType: "text/csv", Data: []byte(strings.Join([]string{
					"customer,card,iban,amount",
					"C-1001," + plantedCards[0] + "," + plantedIBANs[0] + ",120.00",
					"C-1002," + plantedCards[1] + ",,75.50",
					"C-1003," + plantedCards[2] + ",,310.00",
					"C-1004,4111111111111112,GB82WEST12345698765433,12.00",
					"C-1005,1234567812345678,,99.99",
				}, "\n"))}},
				{ID: PlantedProjectPayrollFile, Blob: Blob{Name: "payroll.xlsx", MIMEType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Data: XLSX(
					[]string{"employee", "corporate card", "iban"},
					[]string{"E-17", plantedCards[3], plantedIBANs[1]},
					[]string{"E-18", "5555555555554445", "DE89370400440532013001"},
				)}},
				{ID: "file-planted-logo", Blob: Blob{Name: "logo.png", MIMEType: "image/png", Data: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa")}},
				{ID: "file-planted-ledger", Blob: Blob{Name: "ledger-archive.csv", MIMEType: "text/csv",
					Data: []byte("date,account,amount\n2026-01-01,ops,100.00\n"), Size: 25 << 20}},
			}},
		ChatGPTProject{ID: "g-p-planted-eng", Name: "Engineering", OwnerID: "user-planted-erin", OwnerEmail: "erin@demo.example", CreatedAt: now - 60*Day,
			Files: []StoredFile{
				{ID: "file-planted-architecture", Blob: Blob{Name: "architecture.docx", MIMEType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
					Data: DOCX("Architecture overview", "Codename: Project Bluebird.", "Services talk over mTLS; secrets live in the vault, never in documents.")}},
				{ID: "file-planted-diagram", Blob: Blob{Name: "diagram.pdf", MIMEType: "application/pdf", Data: []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R\nthis is not a PDF any more\n")}},
			}},
	)

	c.Conversations = append(c.Conversations,
		Conversation{ID: "conv-planted-onboarding", Title: "Onboarding paperwork", UserID: "user-planted-bob", UserEmail: "bob@demo.example", At: now - 2*Day,
			Files: []StoredFile{
				{ID: PlantedConversationForms, Blob: Blob{Name: "new-hire-forms.docx", MIMEType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Data: DOCX(
					"New hire forms",
					"Employee SSN: "+plantedSSNs[0],
					"Spouse SSN: "+plantedSSNs[1],
					"UK National Insurance: "+plantedNINOs[0]+" (previous: "+plantedNINOs[1]+")",
					"Examples that are not real numbers: 000-12-3456, 666-12-3456, 900-12-3456, BG123456C, AB123456E.",
				)}},
				{ID: "file-planted-bomb", Blob: Blob{Name: "big-table.docx", MIMEType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Data: DOCXBomb(200 << 20)}},
			}},
		Conversation{ID: "conv-planted-budget", Title: "Budget questions", UserID: "user-planted-erin", UserEmail: "erin@demo.example", At: now - 5*Day,
			Files: []StoredFile{
				{ID: PlantedConversationBudget, Blob: Blob{Name: "vendor-payments.pptx", MIMEType: "application/vnd.openxmlformats-officedocument.presentationml.presentation", Data: PPTX(
					"Vendor payments", "Pay the cloud vendor to IBAN "+plantedIBANs[2], "Next review: 2026-12-01")}},
			}},
		// Older than the 30 days of logs the Compliance API keeps and the
		// collector reads: never fetched.
		Conversation{ID: "conv-planted-old", Title: "Old thread", UserID: "user-planted-erin", UserEmail: "erin@demo.example", At: now - 45*Day,
			Files: []StoredFile{{ID: "file-planted-old", Blob: Blob{Name: "old.txt", MIMEType: "text/plain", Data: []byte("key " + plantedOldKey + "\n")}}}},
	)
}
