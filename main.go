// Command coda-changelog is a Bitbucket Pipelines pipe that publishes the
// changes of a build to Coda: rows in a table, release notes on a page, and a
// webhook-invoked automation. See README.md for its variables.
package main

import (
	"context"
	"fmt"
	"os"
)

// version is stamped in at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if err := run(context.Background(), os.Args[1:], os.Environ(), os.Stdout, os.Stderr, binaryOptions()); err != nil {
		fmt.Fprintln(os.Stderr, "✖ "+err.Error())
		os.Exit(1)
	}
}
