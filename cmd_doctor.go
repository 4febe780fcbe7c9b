package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"planner-tui/checklist"
	"planner-tui/ops/compose"
	"planner-tui/ops/doctor"
	"planner-tui/ops/envfile"
	"planner-tui/ops/postgres"
	"planner-tui/ops/session"
)

// exitDoctorFailed is doctor's exit code when a check failed (✗): the
// root's "it failed" code. Warnings (⚠) alone exit 0: doctor ran, and
// nothing stands in the way of a deployment; --json says which warned.
const exitDoctorFailed = 1

func newDoctorCmd(o *options) *cobra.Command {
	var asJSON bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check this host before a deployment: Docker, compose, files, .env, backups, database, state",
		Long: `doctor checks, on the production host and before deployment night, what the
runbook will need: the Docker engine (and its API version), docker-compose v1
and/or the docker compose v2 plugin, the planner dir and its compose files, .env
(bad lines named with their numbers), how many secret values will be masked, the
backup dir (a real write, and free space against the database's size), the
database and its alembic revision, the state dir and who holds its lock, the
terminal's size and colours, an editor, and planner-tui's version against the
runbook's front matter key "planner-tui" (e.g. planner-tui: ">= 0.5").

Each check prints ✓ (ok), ⚠ (warning) or ✗ (failed), with a fix for the last two.
Every check has a timeout (--timeout), so a hung engine or database cannot hang
doctor. No secret value is printed.

Exit 0 when no check failed (warnings included), 1 when one did, 64 on a bad flag.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if timeout <= 0 {
				return &exitError{code: exitBadParam, err: fmt.Errorf("--timeout %s: want a positive duration", timeout)}
			}
			checks := runDoctor(cmd.Context(), o, timeout, cmd.OutOrStdout())
			out := cmd.OutOrStdout()
			if asJSON {
				if err := writeJSON(out, checks); err != nil {
					return err
				}
			} else {
				printChecks(out, checks)
			}
			var failed []string
			for _, c := range checks {
				if c.Status == doctor.Failed {
					failed = append(failed, c.Name)
				}
			}
			if len(failed) == 0 {
				return nil
			}
			if asJSON {
				return &exitError{code: exitDoctorFailed}
			}
			return &exitError{code: exitDoctorFailed, err: fmt.Errorf("doctor: failed (✗): %s; see the fixes above", strings.Join(failed, ", "))}
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the checks as a JSON array (name, status ok|warning|failed, detail, fix)")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Second, "how long each check may take before it counts as failed")
	return cmd
}

// runDoctor runs every check. The settings come from a read-only session
// (nothing written, no lock taken); when they cannot be worked out, that is
// a failed check and only the checks that need no settings run.
func runDoctor(ctx context.Context, o *options, timeout time.Duration, stdout io.Writer) []doctor.Check {
	tinfo := terminalInfo(stdout)
	// needStandalone: the runbook calls docker-compose (unknown runbook: say so).
	base := func(needStandalone bool) []doctor.Func {
		return []doctor.Func{
			{Name: "docker", Where: dockerHost(), Run: doctor.Docker,
				Fix: "restart the Docker engine (systemctl restart docker), or point DOCKER_HOST at one that answers"},
			{Name: "compose", Run: func(ctx context.Context) doctor.Check {
				return doctor.Compose(compose.Detect(ctx, ""), needStandalone, os.Getenv(compose.EnvMode))
			}},
		}
	}
	tail := []doctor.Func{
		{Name: "terminal", Run: func(context.Context) doctor.Check { return doctor.Terminal(tinfo) }},
		{Name: "editor", Run: func(context.Context) doctor.Check { return doctor.Editor(os.Getenv, exec.LookPath) }},
	}

	s, err := o.open(ctx, true)
	if err != nil {
		settings := doctor.Check{Name: "settings", Status: doctor.Failed, Detail: err.Error(),
			Fix: "fix the runbook, or the --set, --dir, --state-dir values or environment variables it names"}
		return append([]doctor.Check{settings}, doctor.Run(ctx, timeout, append(base(true), tail...)...)...)
	}
	defer s.Close()
	t, vars := s.Target(), s.Vars()
	lockPath := (&checklist.Store{Dir: s.StateDir()}).LockPath()

	// Results other checks need travel in buffered channels: a check that
	// timed out may still finish later, and must not race the reader.
	envc := make(chan *envfile.File, 1)
	dbc := make(chan postgres.Report, 1)
	envPath := filepath.Join(t.Dir, ".env")
	dbAddr := net.JoinHostPort(t.DBHost, strconv.Itoa(t.DBPort))
	first := doctor.Run(ctx, timeout, append(base(callsDockerCompose(s)),
		doctor.Func{Name: "planner dir", Run: func(context.Context) doctor.Check { return doctor.PlannerDir(t) }},
		doctor.Func{Name: ".env", Run: func(context.Context) doctor.Check {
			c, f := doctor.EnvFile(envPath)
			envc <- f
			return c
		}},
		doctor.Func{Name: "database", Where: dbAddr, Fix: "find out why the database at " + dbAddr + " hangs (docker-compose logs db), or fix DB_HOST and DB_PORT",
			Run: func(ctx context.Context) doctor.Check {
				env := map[string]string{}
				if f, err := envfile.Load(envPath); err == nil {
					env = f.Map()
				}
				cfg := postgres.ConfigFor(t, env)
				cfg.Timeout = timeout
				c, r := doctor.Database(ctx, cfg)
				dbc <- r
				return c
			}},
	)...)
	var env *envfile.File
	select {
	case env = <-envc:
	default:
	}
	var size doctor.DBSize
	select {
	case r := <-dbc:
		size = doctor.DBSize{Bytes: r.DBSize, Known: r.Reachable}
	default:
	}
	second := doctor.Run(ctx, timeout, append([]doctor.Func{
		{Name: "secrets", Run: func(context.Context) doctor.Check { return doctor.Secrets(vars, env) }},
		{Name: "backup dir", Run: func(context.Context) doctor.Check { return doctor.BackupDir(t.BackupDir, size) }},
		{Name: "state dir", Run: func(context.Context) doctor.Check {
			return doctor.StateDir(s.StateDir(), lockPath)
		}},
	}, append(tail, doctor.Func{Name: "version", Run: func(context.Context) doctor.Check {
		return doctor.Version(version, s.Runbook().Meta[doctor.VersionKey])
	}})...)...)

	byName := map[string]doctor.Check{}
	for _, c := range append(first, second...) {
		// A check never quotes a secret; this is the belt to those braces.
		c.Detail, c.Fix = s.Mask(c.Detail), s.Mask(c.Fix)
		byName[c.Name] = c
	}
	checks := make([]doctor.Check, 0, len(byName))
	for _, name := range doctorOrder {
		if c, ok := byName[name]; ok {
			checks = append(checks, c)
		}
	}
	return checks
}

// doctorOrder is the order checks are printed in: the stack's tools, its
// files, the database, then this host and this planner-tui.
var doctorOrder = []string{"docker", "compose", "planner dir", ".env", "secrets", "database", "backup dir", "state dir", "terminal", "editor", "version"}

// dockerHost is the engine the docker check talks to, for its timeout.
func dockerHost() string {
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		return h
	}
	return "unix:///var/run/docker.sock"
}

// callsDockerCompose: a command of the runbook runs the docker-compose
// binary (so the v2 plugin alone will not do).
func callsDockerCompose(s *session.Session) bool {
	for _, c := range s.Runbook().Commands() {
		if strings.Contains(c.Script, "docker-compose ") {
			return true
		}
	}
	return false
}

// terminalInfo: size and colours of stdout when it is a terminal (only an
// *os.File can be one).
func terminalInfo(w io.Writer) doctor.TermInfo {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(f.Fd()) {
		return doctor.TermInfo{}
	}
	width, height, err := term.GetSize(f.Fd())
	if err != nil {
		return doctor.TermInfo{}
	}
	return doctor.TermInfo{IsTerminal: true, Width: width, Height: height, Colours: doctor.Colours(os.Getenv)}
}

// printChecks prints one line per check, its fix on the next, and a count.
func printChecks(w io.Writer, checks []doctor.Check) {
	width := 0
	for _, c := range checks {
		width = max(width, len(c.Name))
	}
	n := map[doctor.Status]int{}
	for _, c := range checks {
		n[c.Status]++
		fmt.Fprintf(w, "%s %-*s  %s\n", c.Status.Symbol(), width, c.Name, c.Detail)
		if c.Fix != "" && c.Status != doctor.OK {
			fmt.Fprintf(w, "  %-*s  fix: %s\n", width, "", c.Fix)
		}
	}
	fmt.Fprintf(w, "%d checks: %d ok, %d warning(s), %d failed\n", len(checks), n[doctor.OK], n[doctor.Warning], n[doctor.Failed])
}
