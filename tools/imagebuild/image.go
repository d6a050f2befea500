package main

import (
	"archive/tar"
	"bytes"
	"encoding/pem"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// The image's user: the "nonroot" uid and gid distroless images use.
const (
	uid, gid   = 65532, 65532
	binaryPath = "/usr/local/bin/openai-casb"
	workDir    = "/work"
	caFile     = "/etc/ssl/certs/ca-certificates.crt"
)

type options struct {
	out, version, revision, source, repository string
	created                                    time.Time
	binaries                                   []platformBinary
}

// build writes the image index of every platform as an OCI layout tar.
func build(o options) error {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	base, err := baseLayer(o.created)
	if err != nil {
		return err
	}
	for _, b := range o.binaries {
		img, err := platformImage(o, b, base)
		if err != nil {
			return err
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: b.os, Architecture: b.arch}},
		})
	}
	dir, err := os.MkdirTemp("", "imagebuild-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return fmt.Errorf("write the OCI layout: %w", err)
	}
	ref := o.repository + ":" + o.version
	if err := p.AppendIndex(idx, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": o.version,
		"io.containerd.image.name":          ref,
	})); err != nil {
		return fmt.Errorf("write the OCI layout: %w", err)
	}
	return tarDir(dir, o.out, o.created)
}

func platformImage(o options, b platformBinary, base v1.Layer) (v1.Image, error) {
	bin, err := os.ReadFile(b.path)
	if err != nil {
		return nil, fmt.Errorf("read the %s/%s binary: %w", b.os, b.arch, err)
	}
	binLayer, err := layerOf(o.created, []entry{
		{name: "usr/", dir: true, mode: 0o755},
		{name: "usr/local/", dir: true, mode: 0o755},
		{name: "usr/local/bin/", dir: true, mode: 0o755},
		{name: binaryPath[1:], mode: 0o755, body: bin},
	})
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img,
		mutate.Addendum{Layer: base, MediaType: types.OCILayer, History: v1.History{Created: v1.Time{Time: o.created}, CreatedBy: "imagebuild: CA certificates, passwd, group", Comment: "base"}},
		mutate.Addendum{Layer: binLayer, MediaType: types.OCILayer, History: v1.History{Created: v1.Time{Time: o.created}, CreatedBy: "imagebuild: COPY openai-casb " + binaryPath}},
	)
	if err != nil {
		return nil, fmt.Errorf("assemble the %s/%s image: %w", b.os, b.arch, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = b.os, b.arch
	cf.Created = v1.Time{Time: o.created}
	cf.Author = "openai-casb"
	cf.Config = v1.Config{
		User:       fmt.Sprintf("%d:%d", uid, gid),
		Entrypoint: []string{"openai-casb"},
		Cmd:        []string{"--help"},
		WorkingDir: workDir,
		Env: []string{
			"PATH=/usr/local/bin",
			"HOME=/home/nonroot",
			"SSL_CERT_FILE=" + caFile,
		},
		Labels: labels(o),
	}
	return mutate.ConfigFile(img, cf)
}

// labels are the OCI image annotations, as config labels.
func labels(o options) map[string]string {
	l := map[string]string{
		"org.opencontainers.image.title":         "openai-casb",
		"org.opencontainers.image.description":   "Policy-as-code security posture checks for an OpenAI organization and ChatGPT Enterprise workspace",
		"org.opencontainers.image.source":        o.source,
		"org.opencontainers.image.url":           o.source,
		"org.opencontainers.image.documentation": o.source + "/tree/main/docs",
		"org.opencontainers.image.version":       o.version,
		"org.opencontainers.image.licenses":      "Apache-2.0",
		"org.opencontainers.image.created":       o.created.Format(time.RFC3339),
		"org.opencontainers.image.vendor":        "openai-casb",
	}
	if o.revision != "" {
		l["org.opencontainers.image.revision"] = o.revision
	}
	return l
}

// baseLayer holds what a scratch image needs to run a Go program that
// speaks TLS as a named non-root user.
func baseLayer(created time.Time) (v1.Layer, error) {
	ca, n := caBundle()
	if n == 0 {
		return nil, fmt.Errorf("the CA bundle is empty")
	}
	return layerOf(created, []entry{
		{name: "etc/", dir: true, mode: 0o755},
		{name: "etc/passwd", mode: 0o644, body: []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		{name: "etc/group", mode: 0o644, body: []byte("root:x:0:\nnonroot:x:65532:\n")},
		{name: "etc/ssl/", dir: true, mode: 0o755},
		{name: "etc/ssl/certs/", dir: true, mode: 0o755},
		{name: caFile[1:], mode: 0o644, body: ca},
		{name: "home/", dir: true, mode: 0o755},
		{name: "home/nonroot/", dir: true, mode: 0o700, uid: uid, gid: gid},
		{name: "tmp/", dir: true, mode: 0o1777},
		{name: "work/", dir: true, mode: 0o755, uid: uid, gid: gid},
	})
}

// caBundle is Mozilla's root store as PEM, from the pinned
// x509roots/fallback module. Roots that carry a constraint (a distrust
// date) are left out: a PEM file cannot express it.
func caBundle() ([]byte, int) {
	var b bytes.Buffer
	n := 0
	for r := range bundle.Roots() {
		if r.Constraint != nil {
			continue
		}
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: r.Certificate})
		n++
	}
	return b.Bytes(), n
}

type entry struct {
	name     string
	dir      bool
	mode     int64
	uid, gid int
	body     []byte
}

// layerOf makes an uncompressed-then-gzipped OCI layer of entries, with
// fixed times and owners: the same input gives the same digest.
func layerOf(created time.Time, entries []entry) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Uid: e.uid, Gid: e.gid, ModTime: created, Format: tar.FormatPAX}
		if e.dir {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	raw := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(raw)), nil
	}, tarball.WithMediaType(types.OCILayer))
}

// tarDir writes the layout directory as a tar, files sorted, times fixed.
func tarDir(dir, out string, created time.Time) error {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		return err
	}
	slices.Sort(paths)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(out), ".imagebuild-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	tw := tar.NewWriter(f)
	for _, p := range paths {
		rel, _ := filepath.Rel(dir, p)
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		h := &tar.Header{Name: filepath.ToSlash(rel), ModTime: created, Mode: 0o644, Format: tar.FormatPAX}
		if st.IsDir() {
			h.Typeflag, h.Name, h.Mode = tar.TypeDir, h.Name+"/", 0o755
			if err := tw.WriteHeader(h); err != nil {
				return err
			}
			continue
		}
		h.Typeflag, h.Size = tar.TypeReg, st.Size()
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		src, err := os.Open(p)
		if err != nil {
			return err
		}
		_, err = io.Copy(tw, src)
		src.Close()
		if err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), out)
}
