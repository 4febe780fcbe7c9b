package ui

import (
	"fmt"
	"strings"

	"planner-tui/checklist"
	"planner-tui/ops/monitor"
)

// An incident is something the stack watcher sees that an emergency
// playbook is for: a service exited or unhealthy, the database unreachable,
// a disk over its threshold. A banner under the header names it, and e
// opens the emergency playbooks with the matching one selected.
type incident struct {
	text string
	// words are looked for in the playbook titles, the first that
	// matches wins ("Service Completely Down", "Database Connection Lost").
	words []string
}

// incidents lists the incidents of a snapshot, the most telling first: a
// service down, then the database, then disks and memory. A service that is
// starting or restarting is not one (yet): the status bar shows it "…".
func incidents(s monitor.Snapshot) []incident {
	var out []incident
	down := []string{"service", "down"}
	if s.DockerKnown && s.DockerErr == "" {
		for _, ct := range s.Containers {
			switch {
			case ct.State == "exited" || ct.State == "dead":
				out = append(out, incident{fmt.Sprintf("%s %s (exit %d)", serviceName(ct), ct.State, ct.ExitCode), down})
			case ct.Running() && ct.Health == "unhealthy":
				out = append(out, incident{serviceName(ct) + " unhealthy", down})
			}
		}
		for _, name := range s.Missing {
			out = append(out, incident{name + " has no container", down})
		}
	}
	if s.DBKnown && !s.DB.Reachable {
		out = append(out, incident{dbProblem(s.DB.Err, true), []string{"database"}})
	}
	for _, wn := range s.Warnings {
		switch {
		case strings.HasPrefix(wn.What, "disk ") && strings.Contains(wn.Message, "% full"):
			out = append(out, incident{wn.Message[:strings.Index(wn.Message, "% full")+len("% full")], []string{"disk"}})
		case wn.What == "memory":
			out = append(out, incident{"memory high", []string{"memory"}})
		}
	}
	return out
}

// playbookFor is the index of the emergency playbook (a step of the
// emergency section) an incident calls for; -1 when none matches.
func playbookFor(sec *checklist.Section, in incident) int {
	if sec == nil {
		return -1
	}
	for _, w := range in.words {
		for i, st := range sec.Steps {
			if strings.Contains(strings.ToLower(st.Title), w) {
				return i
			}
		}
	}
	return -1
}

// incidentBanner is the row under the header while something is wrong:
// what, and the playbook e offers ("" when all is well or the stack is not
// watched).
func (c *Context) incidentBanner() string {
	if c.snap == nil {
		return ""
	}
	ins := incidents(*c.snap)
	if len(ins) == 0 {
		return ""
	}
	text := "▲ " + ins[0].text
	if len(ins) > 1 {
		text += fmt.Sprintf(" (+%d)", len(ins)-1)
	}
	sec := roleSection(c.rb, "emergency", "Emergency Procedures")
	if i := playbookFor(sec, ins[0]); i >= 0 {
		text += " · e: " + sec.Steps[i].Title
	}
	return c.styles.Error.Render(text)
}
