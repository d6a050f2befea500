package dlp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// File statuses, as the inventory records them for collected files.
const (
	StatusScanned     = "scanned"
	StatusTooLarge    = "too_large"
	StatusUnsupported = "unsupported"
	StatusError       = "error"
)

// FileReport is what a scan of local files says about one file: its
// status, and per detector the matches (counts and redacted samples,
// never the content).
type FileReport struct {
	Path       string                   `json:"path"`
	Bytes      int64                    `json:"bytes"`
	Status     string                   `json:"status"`
	Reason     string                   `json:"reason"`
	Detections map[string]FileDetection `json:"detections"`
}

// FileDetection is one detector's matches in a file: how many, and up to
// MaxSamples redacted samples, each with its confidence.
type FileDetection struct {
	Count   int      `json:"count"`
	Samples []string `json:"samples"`
}

// PathScan scans local files and directories as a collection scans the
// files it fetches: the same extraction, the same limits.
type PathScan struct {
	Scanner *Scanner
	Limits  Limits
	// MinConfidence is, per detector reported, the lowest confidence
	// counted; detectors absent are not reported.
	MinConfidence map[string]Confidence
}

// ForProfiles is the PathScan of the named profiles of cfg: their
// detectors, each at the lowest minimum confidence of the profiles that
// name it.
func ForProfiles(cfg *Config, names []string) (*PathScan, error) {
	p := &PathScan{Scanner: cfg.Scanner, Limits: cfg.limits(), MinConfidence: map[string]Confidence{}}
	for _, name := range names {
		prof, ok := cfg.Profile(name)
		if !ok {
			var known []string
			for _, q := range cfg.Profiles {
				known = append(known, q.Name)
			}
			return nil, fmt.Errorf("unknown DLP profile %q: the policies define %v", name, known)
		}
		for _, d := range prof.Detectors {
			if c, seen := p.MinConfidence[d]; !seen || prof.MinConfidence < c {
				p.MinConfidence[d] = prof.MinConfidence
			}
		}
	}
	return p, nil
}

// ForAllDetectors is the PathScan of every detector of cfg at min.
func ForAllDetectors(cfg *Config, min Confidence) *PathScan {
	p := &PathScan{Scanner: cfg.Scanner, Limits: cfg.limits(), MinConfidence: map[string]Confidence{}}
	for _, d := range cfg.Scanner.Detectors() {
		p.MinConfidence[d] = min
	}
	return p
}

func (c *Config) limits() Limits {
	l := DefaultLimits
	l.MaxFileBytes = c.MaxFileBytes
	return l
}

// Walk scans each path (a file, or a directory read recursively in
// lexical order, symbolic links not followed) and calls report for every
// file. A path that cannot be read is reported with status error; Walk
// returns the error of report, or of ctx.
func (p *PathScan) Walk(ctx context.Context, paths []string, report func(FileReport) error) error {
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			if err := report(FileReport{Path: root, Status: StatusError, Reason: describePathError(err), Detections: map[string]FileDetection{}}); err != nil {
				return err
			}
			continue
		}
		if !info.IsDir() {
			if err := report(p.scanPath(ctx, root, info)); err != nil {
				return err
			}
			continue
		}
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			if err != nil {
				return report(FileReport{Path: path, Status: StatusError, Reason: describePathError(err), Detections: map[string]FileDetection{}})
			}
			if d.IsDir() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return report(FileReport{Path: path, Status: StatusError, Reason: describePathError(err), Detections: map[string]FileDetection{}})
			}
			return report(p.scanPath(ctx, path, info))
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// describePathError is a file error without the Go wrapping, which
// repeats the path.
func describePathError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}

func (p *PathScan) scanPath(ctx context.Context, path string, info fs.FileInfo) FileReport {
	r := FileReport{Path: path, Bytes: info.Size(), Detections: map[string]FileDetection{}}
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		r.Status, r.Reason = StatusUnsupported, "a symbolic link: not followed"
		return r
	case !info.Mode().IsRegular():
		// A device or a FIFO: reading it could block or never end.
		r.Status, r.Reason = StatusUnsupported, "not a regular file"
		return r
	case info.Size() > p.Limits.MaxFileBytes:
		r.Status, r.Reason = StatusTooLarge, fmt.Sprintf("larger than %d bytes (dlp_max_file_bytes)", p.Limits.MaxFileBytes)
		return r
	}
	f, err := os.Open(path)
	if err != nil {
		r.Status, r.Reason = StatusError, describePathError(err)
		return r
	}
	defer f.Close()
	content, err := io.ReadAll(io.LimitReader(f, p.Limits.MaxFileBytes+1))
	if err != nil {
		r.Status, r.Reason = StatusError, describePathError(err)
		return r
	}
	r.Bytes = int64(len(content))
	if r.Bytes > p.Limits.MaxFileBytes {
		r.Status, r.Reason = StatusTooLarge, fmt.Sprintf("larger than %d bytes (dlp_max_file_bytes)", p.Limits.MaxFileBytes)
		return r
	}
	res, err := p.Scanner.ScanFile(ctx, filepath.Base(path), "", content, p.Limits)
	switch {
	case errors.Is(err, ErrUnsupported):
		r.Status, r.Reason = StatusUnsupported, err.Error()
		return r
	case err != nil:
		r.Status, r.Reason = StatusError, err.Error()
		return r
	}
	r.Status = StatusScanned
	for name, d := range res {
		min, wanted := p.MinConfidence[name]
		if !wanted {
			continue
		}
		if n := d.AtLeast(min); n > 0 {
			r.Detections[name] = FileDetection{Count: n, Samples: d.Samples(min)}
		}
	}
	return r
}

// Matched reports whether the file has a detection.
func (r FileReport) Matched() bool { return len(r.Detections) > 0 }

// DetectorNames lists the file's detectors in order.
func (r FileReport) DetectorNames() []string {
	names := make([]string, 0, len(r.Detections))
	for n := range r.Detections {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
