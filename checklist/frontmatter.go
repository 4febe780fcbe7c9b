package checklist

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// frontMatter is what a runbook's leading YAML block says.
type frontMatter struct {
	Title string
	Vars  map[string]string
	Meta  map[string]string
	Shell string // Runme's shell, when it is one planner-tui runs
	Dir   string // Runme's cwd
	// Approvals is the approvals policy (approvals.go).
	Approvals ApprovalPolicy
	// Notify are the webhooks (notify.go).
	Notify []NotifyHook
}

var (
	varName     = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)
	yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): `)
)

// splitFrontMatter finds a leading "---" ... "---" (or "...") block. It
// returns the YAML text, the file line of its first line, and src with the
// whole block (delimiters included) blanked to empty lines, so that every
// line number goldmark reports is still the line in the original file.
// ok is false when there is no front matter.
func splitFrontMatter(src []byte) (yamlText []byte, firstLine int, body []byte, ok bool, prob *Problem) {
	lines := bytes.SplitAfter(src, []byte("\n"))
	if len(lines) == 0 || strings.TrimRight(string(bytes.TrimPrefix(lines[0], []byte("\ufeff"))), " \t\r\n") != "---" {
		return nil, 0, src, false, nil
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		l := strings.TrimRight(string(lines[i]), " \t\r\n")
		if l == "---" || l == "..." {
			end = i
			break
		}
	}
	if end < 0 {
		return nil, 0, src, false, &Problem{Line: 1, Severity: Error,
			Message: `front matter starts with "---" but has no closing "---" line`}
	}
	yamlText = bytes.Join(lines[1:end], nil)
	var b bytes.Buffer
	b.Grow(len(src))
	for i, l := range lines {
		if i <= end {
			if bytes.HasSuffix(l, []byte("\n")) {
				b.WriteByte('\n')
			}
			continue
		}
		b.Write(l)
	}
	return yamlText, 2, b.Bytes(), true, nil
}

// parseFrontMatter decodes the YAML of the front matter. firstLine is the
// file line of the YAML's first line; problems carry file lines.
func parseFrontMatter(yamlText []byte, firstLine int) (frontMatter, []Problem) {
	fm := frontMatter{Vars: map[string]string{}, Meta: map[string]string{}}
	var probs []Problem
	at := func(n *yaml.Node) int { return n.Line + firstLine - 1 }
	var doc yaml.Node
	if err := yaml.Unmarshal(yamlText, &doc); err != nil {
		line, msg := firstLine, err.Error()
		if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
			// yaml.v3 counts these lines from 0 (the mark of the problem).
			n, _ := strconv.Atoi(m[1])
			last := firstLine + bytes.Count(yamlText, []byte("\n")) - 1
			line, msg = min(n+firstLine, max(last, firstLine)), msg[len(m[0]):]
		}
		probs = append(probs, Problem{Line: line, Severity: Error, Message: "front matter: " + strings.TrimPrefix(msg, "yaml: ")})
		return fm, probs
	}
	if len(doc.Content) == 0 {
		return fm, nil // empty front matter
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fm, []Problem{{Line: at(root), Severity: Error, Message: "front matter must be a mapping of keys to values"}}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch key := k.Value; {
		case key == "title":
			if v.Kind != yaml.ScalarNode {
				probs = append(probs, Problem{Line: at(v), Severity: Error, Message: "front matter: title must be a string"})
				continue
			}
			fm.Title = v.Value
		case key == "vars":
			if v.Kind != yaml.MappingNode {
				if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
					continue
				}
				probs = append(probs, Problem{Line: at(v), Severity: Error, Message: "front matter: vars must be a mapping of NAME: value"})
				continue
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				vk, vv := v.Content[j], v.Content[j+1]
				if !varName.MatchString(vk.Value) {
					probs = append(probs, Problem{Line: at(vk), Severity: Error,
						Message: fmt.Sprintf("front matter: variable %q must be UPPER_CASE (letters, digits, _)", vk.Value)})
					continue
				}
				if vv.Kind != yaml.ScalarNode {
					probs = append(probs, Problem{Line: at(vv), Severity: Error,
						Message: fmt.Sprintf("front matter: variable %s must have a string value", vk.Value)})
					continue
				}
				if vv.Tag == "!!null" {
					fm.Vars[vk.Value] = ""
					continue
				}
				fm.Vars[vk.Value] = vv.Value
			}
		case key == "approvals":
			probs = append(probs, fm.approvals(v, at)...)
		case key == "notify":
			hooks, p := parseNotify(v, at)
			fm.Notify, probs = hooks, append(probs, p...)
		case slices.Contains(runmeFrontMatter, key):
			probs = append(probs, fm.runme(key, k, v, at)...)
		default:
			if !slices.Contains(ourFrontMatter, key) {
				probs = append(probs, Problem{Line: at(k), Severity: SeverityWarning,
					Message: fmt.Sprintf("front matter: unknown key %q (known: %s; Runme's: %s)", key,
						strings.Join(ourFrontMatter, ", "), strings.Join(runmeFrontMatter, ", "))})
			}
			if v.Kind != yaml.ScalarNode {
				if slices.Contains(ourFrontMatter, key) {
					probs = append(probs, Problem{Line: at(k), Severity: SeverityWarning,
						Message: fmt.Sprintf("front matter: key %q ignored: only strings are kept", key)})
				}
				continue
			}
			fm.Meta[key] = v.Value
			if key == HealthGateKey {
				if _, err := ParseHealthGate(v.Value); err != nil {
					probs = append(probs, Problem{Line: at(v), Severity: Error, Message: "front matter: " + err.Error()})
				}
			}
		}
	}
	return fm, probs
}

// runme reads Runme's front matter keys: shell and cwd apply to the
// commands; skipPrompts and runme (the document's identity) are kept in
// Meta ("skipPrompts", "runme.id", "runme.version") and change nothing;
// the others are left aside with a warning.
func (fm *frontMatter) runme(key string, k, v *yaml.Node, at func(*yaml.Node) int) []Problem {
	warn := func(format string, a ...any) []Problem {
		return []Problem{{Line: at(k), Severity: SeverityWarning, Message: "front matter: " + fmt.Sprintf(format, a...)}}
	}
	if key == "runme" {
		if v.Kind != yaml.MappingNode {
			return warn("runme ignored: want a mapping (id, version)")
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			if rk, rv := v.Content[j], v.Content[j+1]; rv.Kind == yaml.ScalarNode {
				fm.Meta["runme."+rk.Value] = rv.Value
			}
		}
		return nil
	}
	if v.Kind != yaml.ScalarNode {
		return warn("%s ignored: want a single value", key)
	}
	switch key {
	case "shell":
		sh := shellName(v.Value)
		if sh == "" {
			return warn("shell %q ignored: planner-tui runs %s; shell and console blocks run with %s", v.Value, strings.Join(namedShells, ", "), DefaultShell)
		}
		fm.Shell = sh
	case "cwd":
		fm.Dir = strings.TrimSpace(v.Value)
	case "skipPrompts":
		if _, err := strconv.ParseBool(v.Value); err != nil {
			return warn("skipPrompts=%q ignored: want true or false", v.Value)
		}
		// Runme's prompts are for exported variables; planner-tui's
		// confirmations are not prompts to skip.
		fm.Meta[key] = v.Value
	default:
		return warn("Runme's %s ignored: planner-tui has no use for it", key)
	}
	return nil
}
