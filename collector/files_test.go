package collector_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/dlp"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/simulator"
)

func dlpOptions(t *testing.T, inv *inventory.Inventory, base string) collector.Options {
	t.Helper()
	sc, err := dlp.NewScanner([]dlp.Custom{{Name: "acme_codename", Keywords: []string{"project bluebird"}}})
	require.NoError(t, err)
	o := options(inv, base)
	o.DLP = &collector.DLP{Scanner: dlpScanner{sc}, Profiles: []string{"credentials_and_secrets"}}
	return o
}

func byID(files []inventory.File) map[string]inventory.File {
	out := map[string]inventory.File{}
	for _, f := range files {
		out[f.ID] = f
	}
	return out
}

// With DLP on, the collector fetches every file the GPTs, ChatGPT projects
// and recent conversation logs name, scans each once, and records where it
// lives and what was found: never the content.
func TestDLPCollectsAndScansEveryFile(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 40, Seed: 5, Plant: true})
	content := simulator.GenerateContent(src, simulator.ContentOptions{Plant: true})
	_, base := serve(t, src, simulator.Options{MaxPageSize: 1, Content: content})
	got, err := collector.Collect(context.Background(), dlpOptions(t, src, base))
	require.NoError(t, err)

	require.NotNil(t, got.DLP)
	assert.Equal(t, []string{"credentials_and_secrets"}, got.DLP.ProfilesEnabled)
	assert.Contains(t, got.DLP.Detectors, "acme_codename")
	assert.Equal(t, int64(20<<20), got.DLP.MaxFileBytes)

	files := byID(got.Files)
	notes := files[simulator.PlantedGPTSecretsFile]
	assert.Equal(t, inventory.LocationGPT, notes.Location)
	assert.Equal(t, "g-planted-policy", notes.Container.ID)
	assert.Equal(t, "Policy Helper", *notes.Container.Name)
	assert.Equal(t, "erin@demo.example", *notes.Owner.Email)
	assert.Equal(t, inventory.FileScanned, notes.Status)
	for _, d := range []string{dlp.OpenAIKey, dlp.AWSAccessKeyID, dlp.AWSSecretAccessKey, dlp.GitHubToken} {
		assert.Equal(t, 1, notes.Detections[d].Count, d)
	}
	assert.Len(t, notes.Detections, 4, "no near miss matched: %v", notes.Detections)

	handbook := files[simulator.PlantedGPTHandbookFile]
	assert.Equal(t, inventory.FileScanned, handbook.Status, "%v", handbook.Reason)
	for _, d := range []string{dlp.PrivateKey, dlp.JWT, dlp.SlackToken, dlp.GoogleAPIKey} {
		assert.Equal(t, 1, handbook.Detections[d].Count, "%s in %v", d, handbook.Detections)
	}

	refunds := files[simulator.PlantedProjectRefundsFile]
	assert.Equal(t, inventory.LocationChatGPTProject, refunds.Location)
	assert.Equal(t, "Finance Ops", *refunds.Container.Name)
	assert.Equal(t, 3, refunds.Detections[dlp.PaymentCard].Count, "the Luhn failures do not count")
	assert.Equal(t, 1, refunds.Detections[dlp.IBAN].Count, "the bad checksum does not count")
	assert.Equal(t, "4111 **** **** 1111", refunds.Detections[dlp.PaymentCard].Sample)

	payroll := files[simulator.PlantedProjectPayrollFile]
	assert.Equal(t, 1, payroll.Detections[dlp.PaymentCard].Count, "%v", payroll.Detections)
	assert.Equal(t, 1, payroll.Detections[dlp.IBAN].Count, "%v", payroll.Detections)

	forms := files[simulator.PlantedConversationForms]
	assert.Equal(t, inventory.LocationConversation, forms.Location)
	assert.Equal(t, "conv-planted-onboarding", forms.Container.ID)
	assert.Equal(t, "Onboarding paperwork", *forms.Container.Name)
	assert.Equal(t, "user-planted-bob", *forms.Owner.ID)
	assert.Equal(t, 2, forms.Detections[dlp.USSSN].Count, "%v", forms.Detections)
	assert.Equal(t, 2, forms.Detections[dlp.UKNINO].Count, "%v", forms.Detections)

	status := func(id string) string { return files[id].Status }
	assert.Equal(t, inventory.FileUnsupported, status("file-planted-logo"))
	assert.Equal(t, inventory.FileTooLarge, status("file-planted-ledger"))
	assert.Equal(t, int64(25<<20), *files["file-planted-ledger"].Size, "the announced size, without reading it")
	assert.Equal(t, inventory.FileError, status("file-planted-diagram"))
	assert.Equal(t, inventory.FileError, status("file-planted-bomb"))
	assert.Contains(t, *files["file-planted-bomb"].Reason, "expands")
	assert.Empty(t, files["file-planted-faq"].Detections)
	assert.NotContains(t, files, "file-planted-old", "older than the conversation logs read")
	for _, f := range got.Files {
		if f.Status != inventory.FileScanned {
			assert.NotNil(t, f.Reason, "%s is %s without a reason", f.ID, f.Status)
		}
	}

	for _, name := range []string{inventory.SourceGPTFiles, inventory.SourceChatGPTProjects, inventory.SourceProjectFiles, inventory.SourceConversationLogs, inventory.SourceConversationFiles} {
		s, ok := got.Sources[name]
		require.True(t, ok, name)
		assert.Equal(t, inventory.StatusComplete, s.Status, "%s: %v", name, s.Reason)
	}
	assert.Equal(t, 6, got.Sources[inventory.SourceProjectFiles].Items)
	assert.Len(t, got.ChatGPTProjects, len(src.ChatGPTProjects), "the planted content's projects are the inventory's, with their files")
	assert.Equal(t, len(src.ChatGPTProjects), got.Sources[inventory.SourceChatGPTProjects].Pages, "pages of one, to the end")

	raw, err := inventory.Marshal(got)
	require.NoError(t, err)
	_, err = inventory.Decode(raw, "collected.json")
	require.NoError(t, err, "the collected inventory is valid")
	for _, v := range simulator.PlantedSensitiveValues() {
		assert.NotContains(t, string(raw), v)
	}
}

// A file that cannot be fetched is recorded with the reason, its source is
// partial, and every other file is still scanned.
func TestDLPRecordsFilesThatCannotBeFetched(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 40, Seed: 5, Plant: true})
	content := simulator.GenerateContent(src, simulator.ContentOptions{Plant: true})
	_, base := serve(t, src, simulator.Options{Content: content, Faults: []simulator.Fault{
		{Path: "/project_files/" + simulator.PlantedProjectPayrollFile, Status: 404},
		{Path: "/project_files/" + simulator.PlantedProjectRefundsFile, Times: 1, Status: 503},
		{Path: "/gpt_files/" + simulator.PlantedGPTSecretsFile, Times: 1, Truncate: true},
		// A 403 on one file is about that file, not the key: the other
		// lists go on.
		{Path: "/gpt_files/file-planted-faq", Status: 403},
	}})
	got, err := collector.Collect(context.Background(), dlpOptions(t, src, base))
	require.NoError(t, err)
	files := byID(got.Files)
	payroll := files[simulator.PlantedProjectPayrollFile]
	assert.Equal(t, inventory.FileError, payroll.Status)
	assert.Contains(t, *payroll.Reason, "404")
	assert.Equal(t, inventory.FileScanned, files[simulator.PlantedProjectRefundsFile].Status, "a 503 is retried")
	assert.Equal(t, 1, files[simulator.PlantedGPTSecretsFile].Detections[dlp.OpenAIKey].Count, "a body cut short is fetched again")
	s := got.Sources[inventory.SourceProjectFiles]
	assert.Equal(t, inventory.StatusPartial, s.Status)
	assert.Contains(t, *s.Reason, "1 of 6 files could not be fetched")

	faq := files["file-planted-faq"]
	assert.Equal(t, inventory.FileError, faq.Status)
	assert.Contains(t, *faq.Reason, "403")
	assert.Equal(t, inventory.FileScanned, files[simulator.PlantedGPTHandbookFile].Status)
	for _, name := range []string{inventory.SourceGPTs, inventory.SourceWorkspaceUsers, inventory.SourceChatGPTProjects, inventory.SourceConversationFiles} {
		assert.Equal(t, inventory.StatusComplete, got.Sources[name].Status, "%s: %v", name, got.Sources[name].Reason)
	}
}

// Without a workspace there is nothing to scan: the DLP sources say so.
func TestDLPWithoutWorkspaceIsSkipped(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 10, Seed: 5})
	_, base := serve(t, src, simulator.Options{})
	o := dlpOptions(t, src, base)
	o.WorkspaceID = ""
	got, err := collector.Collect(context.Background(), o)
	require.NoError(t, err)
	for _, name := range []string{inventory.SourceGPTFiles, inventory.SourceProjectFiles, inventory.SourceConversationFiles} {
		assert.Equal(t, inventory.StatusSkipped, got.Sources[name].Status)
		assert.True(t, strings.Contains(*got.Sources[name].Reason, "CHATGPT_WORKSPACE_ID"))
	}
	assert.Empty(t, got.Files)
}
