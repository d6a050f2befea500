package main

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// requiredLabels must be on every image.
var requiredLabels = []string{"org.opencontainers.image.source", "org.opencontainers.image.version", "org.opencontainers.image.licenses"}

// platformReport is what inspect found of one platform's image.
type platformReport struct {
	Platform   string
	User       string
	Entrypoint []string
	Labels     map[string]string
	Files      map[string]int64 // path: mode, of the files that matter
}

// runInspect checks an image tar as a runtime would see it, since no
// container runtime is here: every platform runs as a non-root user, with
// the binary as entrypoint, the CA certificates in place and the labels
// set. It prints what it found and fails on the first thing wrong.
func runInspect(file string, w io.Writer) error {
	reports, err := inspect(file)
	if err != nil {
		return err
	}
	for _, r := range reports {
		fmt.Fprintf(w, "%s: user %s, entrypoint %q, %s %04o, %s %04o\n", r.Platform, r.User, r.Entrypoint,
			binaryPath, r.Files[binaryPath], caFile, r.Files[caFile])
		for _, k := range slices.Sorted(maps.Keys(r.Labels)) {
			fmt.Fprintf(w, "  %s=%s\n", k, r.Labels[k])
		}
		if err := r.check(); err != nil {
			return fmt.Errorf("%s: %s: %w", file, r.Platform, err)
		}
	}
	return nil
}

func (r platformReport) check() error {
	user, _, _ := strings.Cut(r.User, ":")
	if user == "" || user == "0" || user == "root" {
		return fmt.Errorf("runs as root (user %q)", r.User)
	}
	if !slices.Equal(r.Entrypoint, []string{"openai-casb"}) {
		return fmt.Errorf("entrypoint %q, want [\"openai-casb\"]", r.Entrypoint)
	}
	for _, l := range requiredLabels {
		if r.Labels[l] == "" {
			return fmt.Errorf("label %s is missing", l)
		}
	}
	if m, ok := r.Files[binaryPath]; !ok || m&0o111 == 0 {
		return fmt.Errorf("%s is missing or not executable", binaryPath)
	}
	if _, ok := r.Files[caFile]; !ok {
		return fmt.Errorf("%s is missing", caFile)
	}
	return nil
}

func inspect(file string) ([]platformReport, error) {
	dir, err := os.MkdirTemp("", "imagebuild-inspect-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := untar(file, dir); err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	top, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("read %s as an OCI layout: %w", file, err)
	}
	topM, err := top.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []platformReport
	for _, d := range topM.Manifests {
		idx, err := top.ImageIndex(d.Digest)
		if err != nil {
			return nil, fmt.Errorf("%s: want an image index under index.json: %w", file, err)
		}
		m, err := idx.IndexManifest()
		if err != nil {
			return nil, err
		}
		for _, md := range m.Manifests {
			img, err := idx.Image(md.Digest)
			if err != nil {
				return nil, err
			}
			r, err := inspectImage(img)
			if err != nil {
				return nil, err
			}
			if md.Platform != nil {
				r.Platform = md.Platform.OS + "/" + md.Platform.Architecture
			}
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, errors.New(file + ": no image in the layout")
	}
	return out, nil
}

func inspectImage(img v1.Image) (platformReport, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return platformReport{}, err
	}
	r := platformReport{
		Platform: cf.OS + "/" + cf.Architecture, User: cf.Config.User,
		Entrypoint: cf.Config.Entrypoint, Labels: cf.Config.Labels, Files: map[string]int64{},
	}
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return r, err
		}
		if p := "/" + strings.TrimPrefix(h.Name, "/"); p == binaryPath || p == caFile {
			r.Files[p] = h.Mode
		}
	}
	return r, nil
}

func untar(file, dir string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(h.Name)
		if !filepath.IsLocal(name) {
			return fmt.Errorf("unsafe path %q in the tar", h.Name)
		}
		p := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			out, err := os.Create(p)
			if err != nil {
				return err
			}
			_, err = io.Copy(out, tr)
			out.Close()
			if err != nil {
				return err
			}
		}
	}
}
