package session

import (
	"strings"

	"planner-tui/checklist"
)

// RecordedLabel marks the picker value the deployment record holds.
const RecordedLabel = "recorded before this deploy"

// withRecorded puts the value the deployment record holds for a
// placeholder first in its choices, marked Recorded: the commit for a
// commit or hash, the tag for a tag or version, the alembic revision for a
// revision, the verified backup for a value that names a backup file. The
// placeholder kinds are the ones choices.list tells apart by name.
func withRecorded(name string, cs []Choice, from *checklist.StackState) []Choice {
	if from == nil {
		return cs
	}
	n := strings.ToLower(name)
	var match func(Choice) bool
	var value string
	switch {
	case strings.Contains(n, "commit") || strings.Contains(n, "hash"):
		if from.Commit == "" {
			return cs
		}
		value = from.Commit
		// the list offers short hashes
		match = func(c Choice) bool { return len(c.Value) >= 7 && strings.HasPrefix(from.Commit, c.Value) }
	case strings.Contains(n, "tag") || strings.Contains(n, "version"):
		if from.Tag == "" {
			return cs
		}
		value = from.Tag
		match = func(c Choice) bool { return c.Value == from.Tag }
	case strings.Contains(n, "revision"):
		if from.Revision == "" || strings.Contains(from.Revision, ",") {
			return cs // none, or branched heads: no one value to go back to
		}
		value = from.Revision
		match = func(c Choice) bool { return c.Value == from.Revision }
	default:
		if from.Backup == nil {
			return cs
		}
		// globChoices labels each file with its path first; a file not
		// offered (moved away) is not offered here either.
		match = func(c Choice) bool { return strings.HasPrefix(c.Label, from.Backup.Path+"  ") }
	}
	for i, c := range cs {
		if match(c) {
			c.Recorded = true
			c.Label = strings.TrimSpace(c.Label + "  (" + RecordedLabel + ")")
			out := append([]Choice{c}, cs[:i]...)
			return append(out, cs[i+1:]...)
		}
	}
	if value == "" {
		return cs
	}
	return append([]Choice{{Value: value, Label: RecordedLabel, Recorded: true}}, cs...)
}
