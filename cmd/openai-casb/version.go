package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	opaversion "github.com/open-policy-agent/opa/v1/version"
	"github.com/urfave/cli/v2"
)

// Release builds stamp these with -ldflags "-X main.version=… -X
// main.commit=… -X main.date=…" (.goreleaser.yaml). A binary built by
// `go install module@version` has them from its build information instead;
// a build from a checkout says devVersion.
var (
	version = ""
	commit  = ""
	date    = ""
)

// devVersion names a build that is neither a release nor a tagged module:
// the next release, as semantic versioning writes an unreleased one.
const devVersion = "0.1.0-dev"

func init() {
	bi, _ := debug.ReadBuildInfo()
	version, commit, date = resolveVersion(version, commit, date, bi)
}

// resolveVersion fills what the linker did not stamp from the build
// information: the module version of `go install module@vX.Y.Z`, and the
// commit and its time that `go build` records from a git checkout.
func resolveVersion(v, c, d string, bi *debug.BuildInfo) (string, string, string) {
	if bi != nil {
		if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && c == "":
				c = s.Value
			case s.Key == "vcs.time" && d == "":
				d = s.Value
			}
		}
	}
	if v == "" {
		v = devVersion
	}
	return strings.TrimPrefix(v, "v"), c, d
}

// versionLine is what --version and the version command print.
func versionLine() string {
	s := fmt.Sprintf("%s %s (OPA %s, %s", toolName, version, opaVersion(), runtime.Version())
	if commit != "" {
		s += ", commit " + commit
	}
	if date != "" {
		s += ", built " + date
	}
	return s + ")"
}

func versionCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version of openai-casb, its commit and build date, and the embedded OPA's version (also --version, -v)",
		Action: func(c *cli.Context) error {
			_, err := fmt.Fprintln(e.stdout, versionLine())
			return err
		},
	}
}

func opaVersion() string { return opaversion.Version }
