package collector_test

import (
	"context"
	"errors"

	"github.com/openai-casb/openai-casb/dlp"
	"github.com/openai-casb/openai-casb/inventory"
)

// dlpScanner is the real scanner of package dlp, as the CLI hands it to the
// collector: the DLP tests are end to end, from the simulator's files to
// the inventory's detections.
type dlpScanner struct{ s *dlp.Scanner }

func (d dlpScanner) Detectors() []string { return d.s.Detectors() }

func (d dlpScanner) ScanFile(ctx context.Context, name, mimeType string, content []byte) (string, string, map[string]inventory.Detection) {
	res, err := d.s.ScanFile(ctx, name, mimeType, content, dlp.DefaultLimits)
	if errors.Is(err, dlp.ErrUnsupported) {
		return inventory.FileUnsupported, err.Error(), nil
	} else if err != nil {
		return inventory.FileError, err.Error(), nil
	}
	found := map[string]inventory.Detection{}
	for name, det := range res {
		found[name] = inventory.Detection{Count: det.Count, Sample: det.Sample, Confidence: det.Confidence.String(), ByConfidence: det.ConfidenceCounts()}
	}
	return inventory.FileScanned, "", found
}
