package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// newManCmd writes the man pages (planner-tui.1 and one per subcommand,
// planner-tui-op-backup.1, ...) generated from the commands themselves, so
// they never drift from --help. Hidden: packaging (make dist) uses it.
func newManCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "man DIR",
		Short:  "Write the man pages into DIR",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := os.MkdirAll(args[0], 0o755); err != nil {
				return fmt.Errorf("man: %w", err)
			}
			header := &doc.GenManHeader{Section: "1", Source: "planner-tui " + version, Manual: "planner-tui manual"}
			root := cmd.Root()
			root.DisableAutoGenTag = true // the page date follows SOURCE_DATE_EPOCH when set
			if err := doc.GenManTree(root, header, args[0]); err != nil {
				return fmt.Errorf("man: %w", err)
			}
			return nil
		},
	}
}
