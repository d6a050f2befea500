package main

import (
	"github.com/urfave/cli/v2"

	"github.com/openai-casb/openai-casb/schemas"
)

func schemaCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "schema",
		Usage: "print the inventory JSON Schema (draft 2020-12)",
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return usageError("schema takes no arguments")
			}
			_, err := e.stdout.Write(schemas.Inventory)
			return err
		},
	}
}
