package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"planner-tui/checklist"
	"planner-tui/ops"
	"planner-tui/ops/backup"
	"planner-tui/ops/docker"
	"planner-tui/ops/envfile"
	"planner-tui/ops/fsutil"
	"planner-tui/ops/host"
	"planner-tui/ops/httpcheck"
	"planner-tui/ops/monitor"
	"planner-tui/ops/postgres"
	"planner-tui/ops/session"
)

func newOpCmd(o *options) *cobra.Command {
	op := &cobra.Command{
		Use:   "op",
		Short: "Native operations on the stack: backups, restore, health, status, logs, env",
		Long: `Native operations that do better than the shell lines they stand for: a verified
backup, a guarded restore, a health wait instead of a fixed sleep, the stack's and
the database's status, a log scan, and an .env check with every value masked.
The embedded runbook uses them; each works on its own too.`,
	}
	op.AddCommand(
		newOpBackupCmd(o), newOpVerifyBackupCmd(o), newOpRestoreCmd(o), newOpWaitHealthyCmd(o),
		newOpStatusCmd(o), newOpDBCheckCmd(o), newOpLogsScanCmd(o), newOpEnvCheckCmd(o),
		newOpUseKeptImageCmd(o),                                   // cmd_op_kept.go
		newOpSQLLintCmd(), newOpPlanCmd(o), newOpHealthGateCmd(o), // cmd_op_gate.go
	)
	return op
}

// opContext is what every op needs: the target stack and the planner dir's
// .env, from a read-only session (no run, no lock).
type opContext struct {
	s      *session.Session
	target ops.Target
	env    map[string]string
}

func (o *options) opContext(ctx context.Context) (*opContext, error) {
	s, err := o.open(ctx, true)
	if err != nil {
		return nil, err
	}
	oc := &opContext{s: s, target: s.Target(), env: map[string]string{}}
	if f, err := envfile.Load(filepath.Join(oc.target.Dir, ".env")); err == nil {
		oc.env = f.Map()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return oc, nil
}

func printBackup(w io.Writer, r backup.Result) {
	fmt.Fprintf(w, "backup   %s\nsize     %d bytes (%s)\nsha256   %s\nverified %v", r.Path, r.Size, host.Bytes(uint64(r.Size)), r.SHA256, r.Verified)
	if r.Check != "" {
		fmt.Fprintf(w, " (%s)", r.Check)
	}
	fmt.Fprintln(w)
}

// recordBackup reports a backup to the run: into the job dir when this op
// runs as a step (the session merges it when the step ends), else nothing:
// standalone backups are still listed in the backup dir and printed.
func recordBackup(r backup.Result) error {
	return recordBackups(checklist.Backup{Path: r.Path, Size: r.Size, SHA256: r.SHA256, Verified: r.Verified, At: time.Now().UTC()})
}

func recordBackups(bs ...checklist.Backup) error {
	jobDir := os.Getenv(session.EnvJobDir)
	if jobDir == "" {
		return nil
	}
	a := session.Artifacts{Backups: bs}
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(filepath.Join(jobDir, session.ArtifactsFile), b, 0o600)
}

func newOpBackupCmd(o *options) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Take a verified pg_dump backup into BACKUP_DIR",
		Long: `backup runs pg_dump in the db container and streams it straight into
BACKUP_DIR/NAME.sql: exit code checked, the dump-complete marker and the
\restrict/\unrestrict keys verified, sha256 and size recorded in the run and the
audit log, fsync'd. A failed or incomplete dump is left as NAME.sql.failed and
reported as a failure, never as a backup.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			oc, err := o.opContext(cmd.Context())
			if err != nil {
				return err
			}
			if name == "" {
				name = "backup-" + time.Now().Format("20060102-150405")
			}
			d, err := docker.New(cmd.Context())
			if err != nil {
				return err
			}
			defer d.Close()
			fmt.Fprintf(cmd.ErrOrStderr(), "pg_dump of %s (service %s of project %s) into %s ...\n", oc.target.DBName, oc.target.DBService, oc.target.Project, oc.target.BackupDir)
			r, err := backup.Take(cmd.Context(), d, oc.target, name)
			if err != nil {
				return err
			}
			printBackup(cmd.OutOrStdout(), r)
			return recordBackup(r)
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "file name without .sql (default backup-<local time>)")
	return cmd
}

func newOpVerifyBackupCmd(o *options) *cobra.Command {
	var restoreTest bool
	cmd := &cobra.Command{
		Use:   "verify-backup FILE",
		Short: "Check that a plain pg_dump file is complete (--restore-test: and that it restores)",
		Long: `verify-backup checks that FILE is a complete plain pg_dump: the header, the
dump-complete marker and the \restrict/\unrestrict keys; it prints the size and
sha256.

--restore-test is the restore drill: it restores FILE into a scratch database
planner_drill_<time>_<random> on the same server (never the live database) with
psql -v ON_ERROR_STOP=1 in the db container, compares the row counts of the
critical tables (CRITICAL_TABLES, each must be in the dump) and of the dump's 5
largest tables with the dump's COPY data, drops the scratch database whatever
happened, and prints the restore's time and MB/s. Scratch databases of drills
older than an hour (killed before their cleanup) are dropped first. A truncated
dump is refused before anything is created. Exit 1 when the drill fails; when
run as a step, a passed drill is recorded with the backup in the run.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !restoreTest {
				r, err := backup.Verify(args[0])
				if err != nil {
					return err
				}
				printBackup(cmd.OutOrStdout(), r)
				return nil
			}
			oc, err := o.opContext(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(cmd.ErrOrStderr(), "restore drill of %s into a scratch database on the server of %s ...\n", args[0], oc.target.DBName)
			res, err := backup.Drill(cmd.Context(), oc.target, args[0], backup.DrillOptions{
				Critical: explicitCriticalTables(oc.s.Vars()), Env: oc.env,
			})
			printDrill(out, res)
			if err != nil {
				return err
			}
			return recordDrill(res)
		},
	}
	cmd.Flags().BoolVar(&restoreTest, "restore-test", false, "restore FILE into a scratch database, check row counts, drop it, report MB/s")
	return cmd
}

// explicitCriticalTables are the tables CRITICAL_TABLES names; none when it
// is unset (the drill then checks the dump's largest tables only).
func explicitCriticalTables(vars map[string]string) []string {
	if vars["CRITICAL_TABLES"] == "" {
		return nil
	}
	return criticalTables(vars)
}

func printDrill(w io.Writer, r backup.DrillResult) {
	for _, s := range r.Stale {
		fmt.Fprintf(w, "dropped  %s (left by a drill more than an hour ago)\n", s)
	}
	if r.Database == "" {
		return // refused before anything was created
	}
	fmt.Fprintf(w, "backup   %s\nsize     %d bytes (%s)\n", r.Path, r.Size, host.Bytes(uint64(r.Size)))
	if r.SHA256 != "" {
		fmt.Fprintf(w, "sha256   %s\n", r.SHA256)
	}
	fmt.Fprintf(w, "restore  into scratch database %s: %s, %.1f MB/s\n", r.Database, r.Restore.Round(time.Millisecond), r.MBps())
	for _, tc := range r.Tables {
		mark := "ok"
		if tc.Dump != tc.Restored {
			mark = "MISMATCH"
		}
		fmt.Fprintf(w, "  %-8s %s: %d rows in the dump, %d restored\n", mark, tc.Table, tc.Dump, tc.Restored)
	}
	if len(r.Tables) > 0 {
		fmt.Fprintf(w, "counted  %d table(s) in %s\n", len(r.Tables), r.Count.Round(time.Millisecond))
	}
	if r.Dropped {
		fmt.Fprintf(w, "dropped  %s\n", r.Database)
	} else {
		fmt.Fprintf(w, "NOT DROPPED %s: drop it by hand (DROP DATABASE %s WITH (FORCE))\n", r.Database, r.Database)
	}
	verdict := "FAILED"
	if r.Passed {
		verdict = "passed"
	}
	fmt.Fprintf(w, "drill    %s in %s\n", verdict, r.Total.Round(time.Millisecond))
}

// recordDrill records a passed drill with its backup in the run when this
// op runs as a step (see recordBackup). The backup's time is the file's
// modification time, not now: verifying an old file does not make it fresh.
func recordDrill(r backup.DrillResult) error {
	if os.Getenv(session.EnvJobDir) == "" || !r.Passed {
		return nil
	}
	st, err := os.Stat(r.Path)
	if err != nil {
		return err
	}
	return recordBackups(checklist.Backup{Path: r.Path, Size: r.Size, SHA256: r.SHA256, Verified: true,
		At: st.ModTime().UTC(), DrillPassed: time.Now().UTC()})
}

func newOpRestoreCmd(o *options) *cobra.Command {
	var confirm string
	var noFreshBackup bool
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Restore a backup into the database (destructive: needs the database name)",
		Long: `restore replaces the contents of the database with FILE. It shows the target
database, its size and active connections; it needs the database name as its
confirmation (--confirm NAME); it verifies FILE, takes a fresh verified backup
first, and restores with ON_ERROR_STOP in one transaction that commits only
after the whole file was read (a failed or cancelled restore changes nothing).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			oc, err := o.opContext(cmd.Context())
			if err != nil {
				return err
			}
			phrase := confirm
			if phrase == "" {
				phrase = os.Getenv(session.EnvConfirmed) // checked by the session when run as a step
			}
			out := cmd.OutOrStdout()
			_, err = backup.Restore(cmd.Context(), oc.target, args[0], backup.RestoreOptions{
				Confirm: phrase, NoFreshBackup: noFreshBackup, Env: oc.env, Out: out,
				FreshBackup: func(r backup.Result) error {
					printBackup(out, r)
					return recordBackup(r)
				},
			})
			if refused := (*backup.RefusedError)(nil); errors.As(err, &refused) {
				return &exitError{code: exitRefused, err: refused}
			}
			return err
		},
	}
	cmd.Flags().StringVar(&confirm, "confirm", "", "the database name, to confirm")
	cmd.Flags().BoolVar(&noFreshBackup, "no-fresh-backup", false, "skip the backup taken before restoring (not recommended)")
	return cmd
}

func newOpWaitHealthyCmd(o *options) *cobra.Command {
	var (
		timeout  time.Duration
		services []string
		url      string
		noHTTP   bool
	)
	cmd := &cobra.Command{
		Use:   "wait-healthy",
		Short: "Wait until the compose services are healthy (and the app answers /health)",
		Long: `wait-healthy waits until every container of the compose project (or each
--service) is running and, where it has a healthcheck, healthy; and, when no
--service is given, until BASE_URL/health answers 200. It prints progress every
second and fails at the deadline naming what is not ready. It fails at once when
a container of those services has exited or restarts in a loop (3 restarts), with
its exit code or restart count and its last log lines: it will not become healthy
by waiting. A container without a healthcheck must have run for a second.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			oc, err := o.opContext(cmd.Context())
			if err != nil {
				return err
			}
			d, err := docker.New(cmd.Context())
			if err != nil {
				return err
			}
			defer d.Close()
			if url == "" && !noHTTP && len(services) == 0 && oc.target.BaseURL != "" {
				url = strings.TrimRight(oc.target.BaseURL, "/") + "/health"
			}
			out := cmd.OutOrStdout()
			opt := httpcheck.WaitOptions{Project: oc.target.Project, Services: services, URL: url, Timeout: timeout}
			err = httpcheck.WaitHealthy(cmd.Context(), d, opt, func(p httpcheck.Progress) {
				var parts []string
				for _, s := range p.Services {
					st := s.State
					if s.Health != "" {
						st = s.Health
					}
					parts = append(parts, s.Service+" "+st)
				}
				if url != "" {
					if p.HTTPErr != "" {
						parts = append(parts, "GET /health: "+p.HTTPErr)
					} else if p.HTTPStatus != 0 {
						parts = append(parts, fmt.Sprintf("GET /health: %d", p.HTTPStatus))
					}
				}
				fmt.Fprintf(out, "[%3.0fs] %s\n", p.Elapsed.Seconds(), strings.Join(parts, ", "))
			})
			if err != nil {
				return err
			}
			fmt.Fprintln(out, "healthy")
			return nil
		},
	}
	f := cmd.Flags()
	f.DurationVar(&timeout, "timeout", 2*time.Minute, "how long to wait")
	f.StringArrayVar(&services, "service", nil, "a service that must be healthy (repeatable; default: all)")
	f.StringVar(&url, "url", "", "URL that must answer 200 (default BASE_URL/health when no --service is given)")
	f.BoolVar(&noHTTP, "no-http", false, "do not check an URL")
	return cmd
}

// stackStatus is `op status --json`: the monitor's snapshot, in the keys
// this command has always printed.
type stackStatus struct {
	Project    string             `json:"project"`
	Docker     string             `json:"docker"` // "" when reachable
	Containers []docker.Container `json:"containers"`
	// Missing are services of the compose files without any container.
	Missing  []string        `json:"missing"`
	Database postgres.Report `json:"database"`
	Disk     []host.Usage    `json:"disk"`
	Memory   host.Memory     `json:"memory"`
	Warnings []host.Warning  `json:"warnings"`
}

func stackStatusOf(s monitor.Snapshot) stackStatus {
	return stackStatus{Project: s.Project, Docker: s.DockerErr, Containers: s.Containers, Missing: s.Missing,
		Database: s.DB, Disk: s.Disk, Memory: s.Mem, Warnings: s.Warnings}
}

func newOpStatusCmd(o *options) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "The stack's containers, the database and the host's disk and memory",
		Long: `status reads the stack once, as the terminal UI's monitor does: the compose
project's containers (and the services of the compose files that have none), the
database, the host's disk and memory. Exit 1 when docker or the database cannot be
reached; exit 3 (a warning) when a container is not running or not healthy, a
service has no container, the database has a problem, or the host a warning; the
same with --json.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			oc, err := o.opContext(cmd.Context())
			if err != nil {
				return err
			}
			snap := monitor.Once(cmd.Context(), oc.target, oc.env, monitor.Options{CriticalTables: criticalTables(oc.s.Vars())})
			if asJSON {
				if err := writeJSON(cmd.OutOrStdout(), stackStatusOf(snap)); err != nil {
					return err
				}
			} else {
				printStackStatus(cmd.OutOrStdout(), snap)
			}
			if snap.Unreachable() {
				return &exitError{code: 1}
			}
			if snap.NeedsLook() {
				return &exitError{code: checklist.ExitWarning}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func criticalTables(vars map[string]string) []string {
	v := vars["CRITICAL_TABLES"]
	if v == "" {
		v = "programs"
	}
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
}

func printStackStatus(w io.Writer, st monitor.Snapshot) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "compose project %s\n", st.Project)
	if st.DockerErr != "" {
		fmt.Fprintf(tw, "DOCKER UNREACHABLE: %s\n", st.DockerErr)
	} else {
		fmt.Fprintln(tw, "SERVICE\tSTATE\tHEALTH\tUP SINCE\tCONTAINER")
		for _, c := range st.Containers {
			up := ""
			if c.Running() && !c.StartedAt.IsZero() {
				up = c.StartedAt.Local().Format("15:04:05")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Service, c.State, c.Health, up, c.Name)
		}
		for _, m := range st.Missing {
			fmt.Fprintf(tw, "%s\tno container\t\t\t\n", m)
		}
	}
	tw.Flush()
	printDBReport(w, st.DB)
	for _, u := range st.Disk {
		if u.Err != "" {
			fmt.Fprintf(w, "disk %-20s %s\n", u.Path, u.Err)
			continue
		}
		fmt.Fprintf(w, "disk %-20s %5.1f%% used, %s free\n", u.Path, u.UsedPct, host.Bytes(u.Avail))
	}
	fmt.Fprintf(w, "memory %5.1f%% used, %s available\n", st.Mem.UsedPct, host.Bytes(st.Mem.Available))
	for _, wr := range st.Warnings {
		fmt.Fprintf(w, "WARNING %s: %s\n", wr.What, wr.Message)
	}
}

func printDBReport(w io.Writer, r postgres.Report) {
	if !r.Reachable {
		fmt.Fprintf(w, "DATABASE UNREACHABLE: %s\n", r.Err)
		return
	}
	fmt.Fprintf(w, "database %s, %s, %d connections, alembic revision %q, %d tables, ping %s\n",
		r.ServerVersion, host.Bytes(uint64(r.DBSize)), r.Connections, r.Revision, len(r.Tables), r.Latency.Round(time.Microsecond))
	for t, n := range r.RowCounts {
		fmt.Fprintf(w, "  %s: %d rows\n", t, n)
	}
	if r.Err != "" {
		fmt.Fprintf(w, "  problem: %s\n", r.Err)
	}
}

func newOpDBCheckCmd(o *options) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "db-check",
		Short: "Database reachability, version, size, connections, alembic revision, tables",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			oc, err := o.opContext(cmd.Context())
			if err != nil {
				return err
			}
			r := postgres.Check(cmd.Context(), postgres.ConfigFor(oc.target, oc.env), criticalTables(oc.s.Vars()))
			if asJSON {
				if err := writeJSON(cmd.OutOrStdout(), r); err != nil {
					return err
				}
			} else {
				printDBReport(cmd.OutOrStdout(), r)
			}
			if !r.Reachable || r.Err != "" {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newOpEnvCheckCmd(o *options) *cobra.Command {
	var required []string
	cmd := &cobra.Command{
		Use:   "env-check",
		Short: "Check .env: required variables set, differences from .env.production.example, values masked",
		Long: `env-check reads the planner dir's .env and .env.production.example. It lists the
variables the example has that .env lacks (and the other way round), and checks
that the required ones (default SECRET_KEY, POSTGRES_PASSWORD, REDIS_PASSWORD) are
set. Secret values are never printed. Lines it cannot parse are listed as
PATH:LINE: what (the other lines are still read, and their secrets masked).
Exit 1 when a required variable is missing or empty; exit 3 (a warning: it ran,
something needs a look) when .env has lines it cannot parse, or .env and the
example differ (a variable missing from .env, empty in .env but set in the
example, or only in .env), or the example cannot be read.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			oc, err := o.opContext(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			envPath := filepath.Join(oc.target.Dir, ".env")
			env, err := envfile.Load(envPath)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "%s: %d variables\n", envPath, len(env.Vars))
			printEnvProblems(out, env)
			values := env.Map()
			missing := 0
			for _, k := range required {
				switch v, ok := values[k]; {
				case !ok:
					fmt.Fprintf(out, "  MISSING  %s\n", k)
					missing++
				case v == "":
					fmt.Fprintf(out, "  EMPTY    %s\n", k)
					missing++
				default:
					fmt.Fprintf(out, "  set      %s=%s\n", k, shownValue(k, v))
				}
			}
			examplePath := filepath.Join(oc.target.Dir, ".env.production.example")
			look := 0 // differences that need a look
			if example, err := envfile.Load(examplePath); err != nil {
				fmt.Fprintf(out, "cannot compare: %v\n", err)
				look++
			} else {
				diffs := envfile.Diff(env, example)
				if len(diffs) == 0 {
					fmt.Fprintf(out, "same variables as %s\n", examplePath)
				}
				exampleValues := example.Map()
				for _, d := range diffs {
					switch {
					case d.InExample && !d.InEnv:
						fmt.Fprintf(out, "  NEW in the example, not in .env: %s (example: %s) -> add it to .env\n", d.Key, shownValue(d.Key, exampleValues[d.Key]))
						look++
					case d.InEnv && !d.InExample:
						fmt.Fprintf(out, "  only in .env: %s\n", d.Key)
						look++
					}
				}
				for _, k := range slices.Sorted(maps.Keys(exampleValues)) {
					if v, ok := values[k]; ok && v == "" && exampleValues[k] != "" && !slices.Contains(required, k) {
						fmt.Fprintf(out, "  EMPTY in .env, set in the example: %s\n", k)
						look++
					}
				}
			}
			if missing > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d required variable(s) missing or empty in %s", missing, envPath)}
			}
			if len(env.Problems) > 0 {
				return envProblemsExit(env)
			}
			if look > 0 {
				return &exitError{code: checklist.ExitWarning, err: fmt.Errorf("%d difference(s) between %s and the example need a look", look, envPath)}
			}
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&required, "require", []string{"SECRET_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD"}, "variables that must be set")
	return cmd
}

// shownValue hides secret values entirely and long ones in part.
func shownValue(key, v string) string {
	if envfile.IsSecretKey(key) {
		return fmt.Sprintf("<hidden, %d characters>", len(v))
	}
	return v
}
