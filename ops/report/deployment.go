package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"planner-tui/checklist"
)

// Deployment is the deployment record as status --json and report --json
// carry it: from, to, the rollback, and the statement
// ("deployed 1.2.2 → 1.2.3, rolled back to 1.2.2 at 06:12").
type Deployment struct {
	Statement  string                `json:"statement"`
	StartedBy  string                `json:"started_by,omitempty"`
	From       *checklist.StackState `json:"from"`
	To         *checklist.StackState `json:"to"`
	RolledBack *checklist.Rollback   `json:"rolled_back,omitempty"`
	Outages    []Outage              `json:"outages"`
	// Gate is the health gate after compose up (omitted until one ran).
	Gate *Gate `json:"gate,omitempty"`
	raw  *checklist.DeploymentRecord
}

// Gate is the health gate as it stands now: a gate left "running" by a
// planner-tui that stopped is unknown (checklist.HealthGate.Effective).
type Gate struct {
	checklist.HealthGate
	// Line is how the screen says it: "health gate: watching (0:23 of 1:00)".
	Line string `json:"line"`
}

func gateOf(g *checklist.HealthGate, mask func(string) string, now time.Time) *Gate {
	if g == nil {
		return nil
	}
	e := g.Effective(now)
	e.Reason = mask(e.Reason)
	return &Gate{HealthGate: e, Line: e.Line(now)}
}

// Outage is a window the app was down, as the JSON gives it.
type Outage struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to,omitzero"` // absent while the stack has not been seen healthy again
	Seconds  float64   `json:"seconds"`
	Stopped  string    `json:"stopped_by"`
	Restored string    `json:"healthy_after,omitempty"`
}

// DeploymentOf is the run's record with what came from the stack masked;
// nil when the run has none.
func DeploymentOf(rb *checklist.Runbook, run *checklist.Run, mask func(string) string) *Deployment {
	d := run.Deployment
	outs := checklist.Outages(rb, run)
	if d == nil && len(outs) == 0 {
		return nil
	}
	out := &Deployment{Outages: []Outage{}}
	if d != nil {
		d = d.Clone()
		for _, st := range []*checklist.StackState{d.From, d.To, rolledBackState(d)} {
			maskState(mask, st)
		}
		out.Statement, out.StartedBy, out.From, out.To, out.RolledBack, out.raw = d.Statement(time.Local), d.StartedBy, d.From, d.To, d.RolledBack, d
		out.Gate = gateOf(d.Gate, mask, time.Now())
	}
	now := time.Now()
	for _, o := range outs {
		out.Outages = append(out.Outages, Outage{From: o.From, To: o.To, Seconds: o.Duration(now).Seconds(), Stopped: o.FromCmd, Restored: o.ToCmd})
	}
	return out
}

func rolledBackState(d *checklist.DeploymentRecord) *checklist.StackState {
	if d.RolledBack == nil {
		return nil
	}
	return d.RolledBack.State
}

func maskState(mask func(string) string, st *checklist.StackState) {
	if st == nil {
		return
	}
	for k, v := range st.Errors {
		st.Errors[k] = mask(v)
	}
}

// writeDeploymentMD is the record as a Markdown table for the change
// ticket: before, after, after the rollback.
func writeDeploymentMD(w io.Writer, d *Deployment) {
	if d == nil {
		return
	}
	fmt.Fprint(w, "## Deployment\n\n")
	if d.Statement != "" {
		fmt.Fprintf(w, "**%s**\n\n", d.Statement)
	}
	if d.Gate != nil {
		after := d.Gate.After
		if after == "" {
			after = "op health-gate"
		}
		fmt.Fprintf(w, "%s (after %s, at %s).\n\n", capitalize(d.Gate.Line), mdCell(after), d.Gate.At.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	if d.raw != nil && d.From != nil {
		cols := []*checklist.StackState{d.From, d.To}
		head := "| | before | after |"
		sep := "|---|---|---|"
		if st := rolledBackState(d.raw); st != nil {
			cols = append(cols, st)
			head += " after the rollback |"
			sep += "---|"
		}
		fmt.Fprintf(w, "%s\n%s\n", head, sep)
		row := func(name string, f func(*checklist.StackState) string) {
			var cells []string
			any := false
			for _, st := range cols {
				v := ""
				if st != nil {
					v = f(st)
				}
				any = any || v != ""
				cells = append(cells, mdCell(v))
			}
			if any {
				fmt.Fprintf(w, "| %s | %s |\n", name, strings.Join(cells, " | "))
			}
		}
		row("time", func(st *checklist.StackState) string { return st.At.UTC().Format("2006-01-02 15:04:05 UTC") })
		row("app version", func(st *checklist.StackState) string { return st.AppVersion })
		row("commit", func(st *checklist.StackState) string { return st.Commit })
		row("tag", func(st *checklist.StackState) string { return st.Tag })
		row("branch", func(st *checklist.StackState) string { return st.Branch })
		row("alembic revision", func(st *checklist.StackState) string { return st.Revision })
		services := map[string]bool{}
		for _, st := range cols {
			for _, svc := range st.Services() {
				services[svc] = true
			}
		}
		for _, svc := range keysOf(services) {
			row("image "+svc, func(st *checklist.StackState) string {
				im, ok := st.Images[svc]
				if !ok {
					return ""
				}
				return strings.TrimSpace(im.Tag + " " + ShortID(im.ID))
			})
		}
		row("backup", func(st *checklist.StackState) string {
			if st.Backup == nil {
				return ""
			}
			return st.Backup.Path + " sha256 " + st.Backup.SHA256
		})
		row(".env sha256", func(st *checklist.StackState) string { return st.EnvHash })
		row("kept image", func(st *checklist.StackState) string { return st.KeptImage })
		row("not read", func(st *checklist.StackState) string { return strings.Join(keysOf(st.Errors), ", ") })
		fmt.Fprintln(w)
		// Why each part could not be read, once per reason.
		seen := map[string]bool{}
		for _, st := range cols {
			if st == nil {
				continue
			}
			for _, k := range keysOf(st.Errors) {
				if why := k + ": " + st.Errors[k]; !seen[why] {
					seen[why] = true
					fmt.Fprintf(w, "- not read at %s: %s\n", st.At.UTC().Format("15:04:05"), why)
				}
			}
		}
		if len(seen) > 0 {
			fmt.Fprintln(w)
		}
	}
	for _, o := range d.Outages {
		if o.To.IsZero() {
			fmt.Fprintf(w, "- outage: from %s (`%s`), not seen healthy since\n", o.From.UTC().Format("15:04:05"), o.Stopped)
			continue
		}
		fmt.Fprintf(w, "- outage: %s → %s UTC, %s (`%s` to `%s`)\n", o.From.UTC().Format("15:04:05"), o.To.UTC().Format("15:04:05"),
			time.Duration(o.Seconds*float64(time.Second)).Round(time.Second), o.Stopped, o.Restored)
	}
	if len(d.Outages) > 0 {
		fmt.Fprintln(w)
	}
}

// writeTimelineMD is the run's story, in time order, every attempt kept.
func writeTimelineMD(w io.Writer, mask func(string) string, ev []checklist.Event) {
	if len(ev) == 0 {
		return
	}
	fmt.Fprint(w, "## Timeline\n\n")
	for _, e := range ev {
		fmt.Fprintf(w, "- %s %s\n", e.At.UTC().Format("15:04:05"), e.Line(mask))
	}
	fmt.Fprintln(w)
}

func mdCell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

// ShortID is an image id or a commit as the report shows it: 12 hex
// digits, without the "sha256:" of an image id.
func ShortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

func keysOf[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
