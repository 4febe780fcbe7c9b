package checklist

import "fmt"

// lintDuplicateHeadings warns about headings with the same name: the
// anchor (and so the id) of each repeat gets a numeric suffix ("-1", "-2")
// that shifts when a heading of that name is inserted before it, and with
// it the run state recorded under the old id. Each repeat is reported at
// its own line, naming the first one's file:line.
func lintDuplicateHeadings(path string, rb *Runbook) []Problem {
	type heading struct {
		title, id string
		line      int
	}
	var hs []heading
	for _, sec := range rb.Sections {
		hs = append(hs, heading{sec.Title, sec.ID, sec.Line})
		for _, st := range sec.Steps {
			if st.Level > 2 { // level 2: the implicit step of the section's own heading
				hs = append(hs, heading{st.Title, st.ID, st.Line})
			}
		}
	}
	first := map[string]heading{}
	var probs []Problem
	for _, h := range hs {
		base := githubAnchor(h.title)
		f, seen := first[base]
		if !seen {
			first[base] = h
			continue
		}
		probs = append(probs, Problem{Path: path, Line: h.line, Severity: SeverityWarning, Message: fmt.Sprintf(
			"duplicate heading %q (first at %s:%d): its id %s has a number that shifts when a heading of that name is inserted before it; give it a distinct title",
			h.title, path, f.line, h.id)})
	}
	return probs
}
