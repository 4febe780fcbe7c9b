// Package docs holds the user documentation and the embedded default
// runbook. Only the runbook is compiled into the binary.
package docs

import _ "embed"

// RunbookPath is how problems and errors name the embedded runbook.
const RunbookPath = "embedded:docs/runbook.md"

// Runbook is the embedded default runbook (docs/runbook.md).
//
//go:embed runbook.md
var Runbook []byte
