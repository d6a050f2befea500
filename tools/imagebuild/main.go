// Command imagebuild builds the openai-casb container image without a
// container daemon, with go-containerregistry: a scratch-style image (no
// shell, no package manager) holding the static binary, Mozilla's CA
// certificates (pinned through golang.org/x/crypto/x509roots/fallback), and
// /etc/passwd and /etc/group naming a non-root user, written as an OCI
// image layout in a tar file (what `podman load` and `docker load` read,
// and `skopeo copy oci-archive:` pushes).
//
//	imagebuild build -o dist/openai-casb_oci.tar -version 1.2.3 \
//	    -binary linux/amd64=dist/…/openai-casb -binary linux/arm64=…
//	imagebuild inspect dist/openai-casb_oci.tar
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "imagebuild: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: imagebuild build|inspect ...")
	}
	switch args[0] {
	case "build":
		return runBuild(args[1:])
	case "inspect":
		fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return errors.New("usage: imagebuild inspect FILE.tar")
		}
		return runInspect(fs.Arg(0), os.Stdout)
	}
	return fmt.Errorf("unknown command %q: want build or inspect", args[0])
}

// binaries is -binary OS/ARCH=PATH, repeated.
type binaries []platformBinary

type platformBinary struct{ os, arch, path string }

func (b *binaries) String() string { return fmt.Sprint(*b) }

func (b *binaries) Set(v string) error {
	plat, path, ok := strings.Cut(v, "=")
	os, arch, ok2 := strings.Cut(plat, "/")
	if !ok || !ok2 || path == "" {
		return fmt.Errorf("-binary %q: want OS/ARCH=PATH, e.g. linux/amd64=dist/openai-casb", v)
	}
	*b = append(*b, platformBinary{os: os, arch: arch, path: path})
	return nil
}

func runBuild(args []string) error {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	var o options
	var bins binaries
	var created string
	fs.Var(&bins, "binary", "`OS/ARCH=PATH` of a static openai-casb binary; repeat for each platform")
	fs.StringVar(&o.out, "o", "", "write the OCI layout tar to `FILE`")
	fs.StringVar(&o.version, "version", "dev", "the image's version label and tag")
	fs.StringVar(&o.revision, "revision", "", "the commit the binary was built from")
	fs.StringVar(&created, "created", "", "creation time (RFC 3339; default: the commit's, else now)")
	fs.StringVar(&o.source, "source", "https://github.com/openai-casb/openai-casb", "the source repository `URL` label")
	fs.StringVar(&o.repository, "repository", "ghcr.io/openai-casb/openai-casb", "the image name the tar is tagged with")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.out == "" || len(bins) == 0 {
		return errors.New("build: want -o FILE and at least one -binary OS/ARCH=PATH")
	}
	o.created = time.Now().UTC().Truncate(time.Second)
	if created != "" {
		t, err := time.Parse(time.RFC3339, created)
		if err != nil {
			return fmt.Errorf("-created %q: %w", created, err)
		}
		o.created = t.UTC()
	}
	o.binaries = bins
	if err := build(o); err != nil {
		return err
	}
	fmt.Printf("wrote %s: %s, %d platform(s)\n", o.out, o.repository+":"+o.version, len(bins))
	return nil
}
