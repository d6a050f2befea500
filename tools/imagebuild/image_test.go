package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBuildThenInspect builds an image of two fake binaries and reads it
// back as a runtime would: the index, each platform's config and layers.
func TestBuildThenInspect(t *testing.T) {
	dir := t.TempDir()
	var bins []platformBinary
	for _, arch := range []string{"amd64", "arm64"} {
		p := filepath.Join(dir, arch)
		if err := os.WriteFile(p, []byte("#!fake "+arch), 0o755); err != nil {
			t.Fatal(err)
		}
		bins = append(bins, platformBinary{os: "linux", arch: arch, path: p})
	}
	created := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	o := options{out: filepath.Join(dir, "image.tar"), version: "1.2.3", revision: "abc", source: "https://example.com/src",
		repository: "example.com/openai-casb", created: created, binaries: bins}
	if err := build(o); err != nil {
		t.Fatal(err)
	}
	reports, err := inspect(o.out)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 2 {
		t.Fatalf("got %d platforms, want 2", len(reports))
	}
	for i, r := range reports {
		if want := "linux/" + bins[i].arch; r.Platform != want {
			t.Errorf("platform %q, want %q", r.Platform, want)
		}
		if err := r.check(); err != nil {
			t.Errorf("%s: %v", r.Platform, err)
		}
		if r.User != "65532:65532" {
			t.Errorf("user %q", r.User)
		}
		if r.Labels["org.opencontainers.image.version"] != "1.2.3" || r.Labels["org.opencontainers.image.revision"] != "abc" ||
			r.Labels["org.opencontainers.image.licenses"] != "Apache-2.0" || r.Labels["org.opencontainers.image.source"] != "https://example.com/src" {
			t.Errorf("labels %v", r.Labels)
		}
		if r.Files[binaryPath] != 0o755 {
			t.Errorf("binary mode %o", r.Files[binaryPath])
		}
	}
	var out strings.Builder
	if err := runInspect(o.out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `linux/arm64: user 65532:65532, entrypoint ["openai-casb"]`) {
		t.Errorf("inspect printed:\n%s", out.String())
	}

	// The same input gives the same bytes: builds are reproducible.
	again := o
	again.out = filepath.Join(dir, "again.tar")
	if err := build(again); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(o.out)
	b, _ := os.ReadFile(again.out)
	if string(a) != string(b) {
		t.Error("two builds of the same input differ")
	}
}

func TestCheckRefuses(t *testing.T) {
	good := platformReport{Platform: "linux/amd64", User: "65532:65532", Entrypoint: []string{"openai-casb"},
		Labels: map[string]string{"org.opencontainers.image.source": "s", "org.opencontainers.image.version": "v", "org.opencontainers.image.licenses": "l"},
		Files:  map[string]int64{binaryPath: 0o755, caFile: 0o644}}
	if err := good.check(); err != nil {
		t.Fatalf("the good image fails: %v", err)
	}
	cases := []struct {
		name   string
		change func(r *platformReport)
		want   string
	}{
		{"no user", func(r *platformReport) { r.User = "" }, "runs as root"},
		{"uid 0", func(r *platformReport) { r.User = "0:0" }, "runs as root"},
		{"root by name", func(r *platformReport) { r.User = "root" }, "runs as root"},
		{"a shell entrypoint", func(r *platformReport) { r.Entrypoint = []string{"/bin/sh", "-c"} }, "entrypoint"},
		{"no licenses label", func(r *platformReport) { delete(r.Labels, "org.opencontainers.image.licenses") }, "licenses"},
		{"binary not executable", func(r *platformReport) { r.Files[binaryPath] = 0o644 }, "not executable"},
		{"no CA certificates", func(r *platformReport) { delete(r.Files, caFile) }, caFile},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := good
			r.Labels = map[string]string{}
			for k, v := range good.Labels {
				r.Labels[k] = v
			}
			r.Files = map[string]int64{binaryPath: 0o755, caFile: 0o644}
			c.change(&r)
			err := r.check()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("check() = %v, want an error about %q", err, c.want)
			}
		})
	}
}

func TestCABundle(t *testing.T) {
	pem, n := caBundle()
	if n < 100 {
		t.Errorf("only %d roots", n)
	}
	if got := strings.Count(string(pem), "-----BEGIN CERTIFICATE-----"); got != n {
		t.Errorf("%d PEM blocks for %d roots", got, n)
	}
}
