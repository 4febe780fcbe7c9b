package main

import (
	"fmt"
	"io"

	"planner-tui/checklist"
	"planner-tui/ops/envfile"
)

// printEnvProblems lists the lines of a .env that could not be parsed, as
// PATH:LINE: what. A problem never quotes a value.
func printEnvProblems(w io.Writer, f *envfile.File) {
	if len(f.Problems) == 0 {
		return
	}
	fmt.Fprintf(w, "WARNING: %d line(s) could not be parsed (the other lines are read, their secrets masked):\n", len(f.Problems))
	for _, p := range f.Problems {
		fmt.Fprintf(w, "  %s\n", p)
	}
}

func envProblemsExit(f *envfile.File) error {
	return &exitError{code: checklist.ExitWarning, err: fmt.Errorf("warning: %d bad line(s) in %s; fix them (see above)", len(f.Problems), f.Path)}
}
