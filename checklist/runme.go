package checklist

import (
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Runme (runme.dev) annotates Markdown fences with attributes of its own,
// as JSON ({"name":"echo","cwd":"../"}) or as key=value; planner-tui reads
// them next to its own (see docs/runbook-format.md, "Runme runbooks").

// runmeMapped are the Runme attributes planner-tui acts on.
var runmeMapped = []string{"name", "cwd", "interactive", "background", "interpreter"}

// runmeIgnored are the Runme attributes planner-tui reads and leaves
// aside, with why (the lint note).
var runmeIgnored = map[string]string{
	"excludeFromRunAll":      "planner-tui has no run-all: every command runs when it is started",
	"promptEnv":              "planner-tui does not prompt for exported variables: use <placeholders> or front matter vars",
	"terminalRows":           "output shows in planner-tui's own pane",
	"closeTerminalOnSuccess": "output shows in planner-tui's own pane",
	"mimeType":               "output is shown as text",
	"category":               "planner-tui has no categories",
	"tag":                    "planner-tui has no tags",
	"transform":              "output is shown as text",
}

// runmeFrontMatter are the Runme front matter keys: shell and cwd are
// mapped, skipPrompts and runme understood, the others left aside.
var runmeFrontMatter = []string{"shell", "cwd", "skipPrompts", "runme", "category", "terminalRows", "tag"}

// ourFrontMatter are planner-tui's own front matter keys.
var ourFrontMatter = []string{"title", "vars", "summary", "emergency", "rollback", "planner-tui", "restore-drill", "approvals", "notify", "health-gate"}

// ulid matches Runme's cell identity (a ULID: 26 Crockford base32
// characters), which says nothing planner-tui uses.
var ulid = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{26}$`)

// Shells planner-tui runs commands with. A fence naming one runs with it;
// "shell" and "console" run with the front matter's shell, else bash.
var namedShells = []string{"bash", "sh", "zsh", "ksh"}

// shellLangs are the fence languages whose blocks are commands.
var shellLangs = map[string]bool{"bash": true, "sh": true, "zsh": true, "ksh": true, "shell": true, "console": true}

// DefaultShell runs the commands of fences that name no shell.
const DefaultShell = "bash"

// shellName turns a front matter shell or an interpreter ("/bin/zsh",
// "zsh -l") into a shell planner-tui runs, or "".
func shellName(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	name := path.Base(f[0])
	if slices.Contains(namedShells, name) {
		return name
	}
	return ""
}

// shellFor is the shell a fence's commands run with.
func shellFor(lang, docShell string) string {
	lang = strings.ToLower(lang)
	if slices.Contains(namedShells, lang) {
		return lang
	}
	return firstNonEmpty(docShell, DefaultShell)
}

// attrPair is one fence attribute as written.
type attrPair struct{ key, val string }

// jsonAttrs reads Runme's JSON attributes ({"name":"echo","cwd":"../"}),
// keeping their order. Values may be strings, booleans or numbers.
func jsonAttrs(s string) ([]attrPair, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var pairs []attrPair
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := kt.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		var val string
		switch v := v.(type) {
		case string:
			val = v
		case bool:
			val = strconv.FormatBool(v)
		case json.Number:
			val = v.String()
		case nil:
		default:
			return nil, fmt.Errorf("%s: want a string, number or true/false", key)
		}
		pairs = append(pairs, attrPair{key, val})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("text after the closing }")
	}
	return pairs, nil
}

// isJSONAttrs reports whether a fence's attributes are written as JSON.
func isJSONAttrs(s string) bool {
	t := strings.TrimSpace(strings.TrimPrefix(s, "{"))
	return strings.HasPrefix(s, "{") && (strings.HasPrefix(t, `"`) || t == "}")
}

// runmeAttr checks one Runme attribute; it returns the value to keep, a
// note for lint when it is left aside (ok false), or an error message.
func runmeAttr(key, val string) (keep string, ok bool, note string) {
	switch key {
	case "name":
		if Slug(val) == "" {
			return "", false, fmt.Sprintf("name=%q ignored: it has no letters or digits to make an id from", val)
		}
		return strings.TrimSpace(val), true, ""
	case "cwd":
		if strings.TrimSpace(val) == "" {
			return "", false, "cwd ignored: it is empty"
		}
		return val, true, ""
	case "interactive", "background":
		v, err := strconv.ParseBool(val)
		if err != nil {
			return "", false, fmt.Sprintf("%s=%q ignored: want true or false", key, val)
		}
		return strconv.FormatBool(v), true, ""
	case "interpreter":
		return val, true, ""
	}
	if why, known := runmeIgnored[key]; known {
		return "", false, fmt.Sprintf("%s ignored: %s", key, why)
	}
	return "", false, fmt.Sprintf("unknown attribute %s ignored", key)
}

// CommandDir is the working directory of a command: the default dir
// (the project's) unless the runbook (front matter cwd) or its fence
// (cwd) names one, which is relative to the runbook file's directory, as
// Runme has it; for the embedded runbook, to the default dir.
func (rb *Runbook) CommandDir(cmd *Command, defaultDir string) string {
	if cmd.Dir == "" {
		return defaultDir
	}
	if filepath.IsAbs(cmd.Dir) {
		return filepath.Clean(cmd.Dir)
	}
	base := defaultDir
	if rb != nil && rb.Path != "" && !strings.HasPrefix(rb.Path, "embedded:") {
		base = filepath.Dir(rb.Path)
	}
	return filepath.Join(base, cmd.Dir)
}

// joinDir puts a fence's cwd under the front matter's.
func joinDir(doc, fence string) string {
	switch {
	case fence == "":
		return doc
	case doc == "" || filepath.IsAbs(fence):
		return fence
	}
	return filepath.Join(doc, fence)
}
