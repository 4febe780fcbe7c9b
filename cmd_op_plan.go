package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"planner-tui/checklist"
	"planner-tui/ops/changes"
	"planner-tui/ops/postgres"
)

func newOpPlanCmd(o *options) *cobra.Command {
	var (
		target  string
		asJSON  bool
		sqlOnly bool
		fresh   bool
	)
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Review changes before deploying: commits, files, .env keys, pending migrations' SQL (linted)",
		Long: `plan says what a deployment will change, before anything changes. It compares
the running version (HEAD of the planner dir) with the target: --target REF, else
the branch's upstream as of the last fetch (what git pull would bring; run git
fetch first for news), else the newest version tag.

It lists the commits the target adds (and those it takes away, for a rollback),
the files it changes (a diffstat), the keys of .env against the target's
.env.production.example (names only, never values), and the pending migrations:
the database's alembic revision (read over pgx) and only the SQL from it to the
target's head, rendered by alembic upgrade CURRENT:head --sql with the target's
alembic dir: in the running app container (an exec, the dir copied into its
/tmp and removed after), else in a one-off container of the app service with
the dir mounted (when the app is not running, runs an older image than a
one-off would, or the exec fails); nothing connects to the database, nothing is
built. The SQL is linted as op sql-lint does. The
rendered SQL is kept in the state dir per alembic tree (git) and revision, so the
next plan of the same target and revision does not start a container (--fresh
renders again).

Exit 0 when nothing needs a look; 3 (a warning) when a migration is destructive
or has warnings, .env lacks a key of the target's example, or a part could not be
read (said under "problems"); 1 when there is no plan (not a git repository, no
such ref). --sql prints only the pending SQL.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			oc, err := o.opContext(cmd.Context())
			if err != nil {
				return err
			}
			p, err := changes.Build(cmd.Context(), changes.Options{
				Target: oc.target, Ref: target, DB: postgres.ConfigFor(oc.target, oc.env),
				CacheDir: filepath.Join(oc.s.StateDir(), "plan-cache"), Fresh: fresh,
			})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			switch {
			case asJSON:
				if err := writeJSON(out, p); err != nil {
					return err
				}
			case sqlOnly:
				io.WriteString(out, p.Migrations.SQL)
			default:
				printChangePlan(out, p)
			}
			if n := planNeedsLook(p); n != "" {
				return &exitError{code: checklist.ExitWarning, err: fmt.Errorf("the plan needs a look: %s", n)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&target, "target", "", "the version to deploy: a tag, branch or commit (default: the upstream, else the newest tag)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	f.BoolVar(&sqlOnly, "sql", false, "print only the pending migrations' SQL")
	f.BoolVar(&fresh, "fresh", false, "render the pending SQL again even if it was rendered before for the same migration scripts and revision")
	return cmd
}

// planNeedsLook says why the plan is a warning, "" when it is not.
func planNeedsLook(p changes.Plan) string {
	var why []string
	if len(p.Migrations.Destructive) > 0 {
		why = append(why, "destructive migration: "+strings.Join(p.Migrations.Destructive, ", "))
	} else if len(p.Migrations.Findings) > 0 {
		why = append(why, fmt.Sprintf("%d migration finding(s)", len(p.Migrations.Findings)))
	}
	if len(p.Env.Missing) > 0 {
		why = append(why, ".env lacks "+strings.Join(p.Env.Missing, ", "))
	}
	if len(p.Problems) > 0 {
		why = append(why, fmt.Sprintf("%d part(s) could not be read", len(p.Problems)))
	}
	return strings.Join(why, "; ")
}

func planRef(r changes.Ref) string {
	short := r.Commit
	if len(short) > 7 {
		short = short[:7]
	}
	if r.Describe != "" && r.Describe != r.Name && !strings.HasPrefix(short, r.Describe) {
		return fmt.Sprintf("%s = %s (%s)", r.Name, r.Describe, short)
	}
	return fmt.Sprintf("%s (%s)", r.Name, short)
}

func printChangePlan(w io.Writer, p changes.Plan) {
	fmt.Fprintf(w, "running  %s\n", planRef(p.Running))
	from := map[string]string{"flag": "--target", "upstream": "the branch's upstream, as of the last fetch", "newest tag": "the newest tag"}[p.TargetFrom]
	fmt.Fprintf(w, "target   %s, %s\n", planRef(p.Target), from)

	fmt.Fprintf(w, "\ncommits: %d new", len(p.Commits))
	if len(p.Reverted) > 0 {
		fmt.Fprintf(w, ", %d taken back (the target is older)", len(p.Reverted))
	}
	fmt.Fprintln(w)
	for _, c := range p.Commits {
		fmt.Fprintf(w, "  + %s %s %s\n", c.Short, planDate(c.Date), c.Subject)
	}
	for _, c := range p.Reverted {
		fmt.Fprintf(w, "  - %s %s %s\n", c.Short, planDate(c.Date), c.Subject)
	}
	add, del := 0, 0
	for _, f := range p.Files {
		add += f.Added
		del += f.Deleted
	}
	fmt.Fprintf(w, "\nfiles: %d changed, +%d -%d\n", len(p.Files), add, del)
	for _, f := range p.Files {
		if f.Binary {
			fmt.Fprintf(w, "  %-12s %s\n", "binary", f.Path)
			continue
		}
		fmt.Fprintf(w, "  %-12s %s\n", fmt.Sprintf("+%d -%d", f.Added, f.Deleted), f.Path)
	}

	if p.Env.Example != "" {
		fmt.Fprintf(w, "\n.env against the target's %s (names only)\n", p.Env.Example)
		printPlanKeys(w, "the target's example adds", p.Env.Added)
		printPlanKeys(w, "the target's example drops", p.Env.Removed)
		printPlanKeys(w, "MISSING from .env (add before deploying)", p.Env.Missing)
		printPlanKeys(w, "only in .env", p.Env.Extra)
		if len(p.Env.Added)+len(p.Env.Removed)+len(p.Env.Missing)+len(p.Env.Extra) == 0 {
			fmt.Fprintln(w, "  same keys")
		}
	}

	m := p.Migrations
	cur := m.Current
	if cur == "" {
		cur = "none (empty database)"
	}
	fmt.Fprintf(w, "\nmigrations: database at %s, %d pending\n", cur, len(m.Pending))
	for _, r := range m.Pending {
		fmt.Fprintf(w, "  %s -> %s  %s\n", planBase(r.From), r.To, r.Message)
	}
	if strings.TrimSpace(m.SQL) != "" && len(m.Pending) > 0 {
		how := ""
		if m.Cached {
			how = ", rendered earlier for the same scripts and revision"
		} else if m.RenderedIn != "" {
			how = ", rendered in " + m.RenderedIn
		}
		fmt.Fprintf(w, "\npending SQL (alembic upgrade %s --sql%s):\n", planRange(m.Current), how)
		for i, l := range strings.Split(strings.TrimRight(m.SQL, "\n"), "\n") {
			fmt.Fprintf(w, "%4d  %s\n", i+1, l)
		}
	}
	if len(m.Findings) > 0 {
		fmt.Fprintf(w, "\nmigration lint (%d):\n", len(m.Findings))
		for _, f := range m.Findings {
			fmt.Fprintf(w, "  line %d: %s %s: %s\n", f.Line, f.Severity, f.Rule, f.Message)
		}
	}
	if len(m.Destructive) > 0 {
		fmt.Fprintf(w, "\nDESTRUCTIVE: the upgrade will %s\n", strings.Join(m.Destructive, ", "))
	}
	for _, n := range m.Notes {
		fmt.Fprintf(w, "\nnote: %s\n", n)
	}
	for _, pr := range p.Problems {
		fmt.Fprintf(w, "\nproblem: %s\n", pr)
	}
}

func printPlanKeys(w io.Writer, what string, keys []string) {
	if len(keys) > 0 {
		fmt.Fprintf(w, "  %s: %s\n", what, strings.Join(keys, ", "))
	}
}

func planDate(iso string) string {
	if len(iso) >= 10 {
		return iso[:10]
	}
	return iso
}

func planBase(rev string) string {
	if rev == "" {
		return "(base)"
	}
	return rev
}

func planRange(current string) string {
	if current == "" {
		return "head"
	}
	return current + ":head"
}
