package main

import (
	"fmt"
	"runtime"

	opaversion "github.com/open-policy-agent/opa/v1/version"
	"github.com/urfave/cli/v2"
)

func versionCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version of openai-casb and of its embedded OPA",
		Action: func(c *cli.Context) error {
			_, err := fmt.Fprintf(e.stdout, "%s %s (OPA %s, %s)\n", toolName, version, opaVersion(), runtime.Version())
			return err
		},
	}
}

func opaVersion() string { return opaversion.Version }
