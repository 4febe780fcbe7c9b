package runner

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"planner-tui/ops/fsutil"
	"planner-tui/ops/mask"
)

// pollEvery is how often a follower looks for new output in output.log
// when it has no live pipe.
const pollEvery = 100 * time.Millisecond

// Job is a command started by Start or followed by Attach.
type Job struct {
	dir string

	proc     *os.Process   // the supervisor, when this process started it
	procDone chan struct{} // closed when proc has exited and been reaped

	followDone chan struct{}   // closed when the follower delivered all output
	ctx        context.Context // of Attach: when done, Wait stops waiting
	ended      chan struct{}   // Start: closed when the result was reported (see reported) or proc exited
	reported   *Result         // Start: the result the supervisor sent over its stdout

	once sync.Once
	res  Result
	err  error
}

// StartCanceledError is Start's error when its ctx ended before the
// supervisor said whether bash runs: the supervisor was sent SIGTERM, but
// bash may have started. Job follows it: Job.Wait returns the real end
// (cancelled, or why it never ran), which is what to record.
type StartCanceledError struct {
	Job *Job
	Err error // ctx's
}

func (e *StartCanceledError) Error() string {
	return "runner: start: " + e.Err.Error() + " (the supervisor was told to stop)"
}
func (e *StartCanceledError) Unwrap() error { return e.Err }

// Start runs spec in a new, detached supervisor and returns once bash has
// been started (or the supervisor has recorded why it could not be). out,
// if not nil, receives the masked output live and in order; it is written
// from one goroutine. ctx bounds the start itself; after Start returns,
// cancelling ctx only stops the copy to out: the job runs on (use Cancel),
// and Wait still reports its end.
//
// An error means no job was started, except *StartCanceledError: ctx ended
// during the start and the job may have run; wait for it. Failures of the command itself (a
// missing working directory, no bash) are reported by Wait in Result.Err.
func Start(ctx context.Context, spec Spec, out io.Writer) (*Job, error) {
	if spec.JobDir == "" {
		return nil, errors.New("runner: Spec.JobDir is empty")
	}
	var err error
	for _, p := range []*string{&spec.JobDir, &spec.Dir, &spec.VarsFile} {
		if *p != "" {
			if *p, err = filepath.Abs(*p); err != nil {
				return nil, fmt.Errorf("runner: %w", err)
			}
		}
	}
	if spec.Dir == "" {
		if spec.Dir, err = os.Getwd(); err != nil {
			return nil, fmt.Errorf("runner: working directory: %w", err)
		}
	}
	for _, n := range spec.Sets {
		if !nameRE.MatchString(n) {
			return nil, fmt.Errorf("runner: Sets: %q is not a shell variable name", n)
		}
	}
	if spec.Grace <= 0 {
		spec.Grace = DefaultGrace
	}
	// group-readable in a shared state dir (fsutil.FileMode): a watcher
	// follows the output
	if err := fsutil.MkdirAllShared(spec.JobDir); err != nil {
		return nil, fmt.Errorf("runner: job dir: %w", err)
	}
	if spec.VarsFile != "" {
		// bash writes its dump next to the file: the directory must exist.
		if err := os.MkdirAll(filepath.Dir(spec.VarsFile), 0o700); err != nil {
			return nil, fmt.Errorf("runner: variables file: %w", err)
		}
	}
	for _, name := range []string{OutputFile, ResultFile, PidFile} {
		if _, err := os.Lstat(filepath.Join(spec.JobDir, name)); err == nil {
			return nil, fmt.Errorf("runner: job dir %s already holds a job (%s exists)", spec.JobDir, name)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	supLog, err := os.OpenFile(filepath.Join(spec.JobDir, SupervisorLogFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	defer supLog.Close()

	input, err := json.Marshal(supervisorInput{Spec: spec, Live: out != nil})
	if err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	var files []*os.File // every pipe end opened here, closed on return
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	pipe := func() (r, w *os.File, err error) {
		r, w, err = os.Pipe()
		if err == nil {
			files = append(files, r, w)
		}
		return r, w, err
	}
	stdinR, stdinW, err := pipe()
	if err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	hsR, hsW, err := pipe()
	if err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	cmd := &exec.Cmd{
		Path:   exe,
		Args:   []string{exe},
		Env:    append(environWithout(envSupervisor), envSupervisor+"="+spec.JobDir),
		Dir:    "/", // hold no directory (or mount) busy
		Stdin:  stdinR,
		Stdout: hsW,
		Stderr: supLog,
		// Own session: no controlling terminal, no SIGHUP when it closes,
		// not in our process group.
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
	}
	var liveR *os.File
	if out != nil {
		r, w, err := os.Pipe()
		if err != nil {
			return nil, fmt.Errorf("runner: %w", err)
		}
		files = append(files, w)
		liveR = r
		growPipe(r)
		cmd.ExtraFiles = []*os.File{w}
	}
	if err := cmd.Start(); err != nil {
		if liveR != nil {
			liveR.Close()
		}
		return nil, fmt.Errorf("runner: start supervisor: %w", err)
	}
	stdinR.Close()
	hsW.Close()
	if len(cmd.ExtraFiles) > 0 {
		cmd.ExtraFiles[0].Close()
	}
	// A failed write means the supervisor died; Wait reports that.
	stdinW.Write(input)
	stdinW.Close()
	// spec.json is for people and Attach; written while the supervisor
	// starts up.
	specErr := writeSpec(spec)

	j := &Job{dir: spec.JobDir, proc: cmd.Process, procDone: make(chan struct{}),
		followDone: make(chan struct{}), ended: make(chan struct{})}
	go func() {
		cmd.Wait()
		close(j.procDone)
	}()

	// The supervisor's stdout carries two lines: "ok" (or "error") once
	// bash runs (or will not), then the result as JSON when it ends.
	// Reading the result there lets Wait return before the supervisor has
	// fsynced output.log and result.json.
	hs := make(chan struct{})
	go func() {
		defer hsR.Close()
		br := bufio.NewReader(hsR)
		_, err := br.ReadString('\n')
		close(hs)
		if err == nil {
			if line, err := br.ReadBytes('\n'); err == nil {
				var r reportLine
				if json.Unmarshal(line, &r) == nil {
					r.Result.SecretVars = r.SecretVars
					j.reported = &r.Result
				}
			}
		}
		if j.reported == nil {
			<-j.procDone
		}
		close(j.ended)
	}()
	files = slices.DeleteFunc(files, func(f *os.File) bool { return f == hsR })
	select {
	case <-hs:
	case <-ctx.Done():
	}
	// A cancellation wins over a handshake that came at the same time (a
	// select picks either at random): the operator asked to stop.
	if ctx.Err() != nil {
		// The supervisor may have started bash already (its "ok" not read
		// yet): asked to stop, it ends the command and reports how. The
		// job is handed back so that its real end is waited for and
		// recorded, not guessed as "never started".
		j.Cancel()
		if liveR != nil {
			liveR.Close()
		}
		close(j.followDone) // no follower: Wait reads the result
		return nil, &StartCanceledError{Job: j, Err: ctx.Err()}
	}

	if specErr != nil {
		fmt.Fprintf(supLog, "runner: %v\n", specErr)
	}
	go func() {
		defer close(j.followDone)
		if liveR == nil {
			return
		}
		n, err := copyLive(ctx, liveR, out)
		if err != nil {
			return // out failed: nobody to deliver to
		}
		// If the live stream ended early (we were too slow, or stopped),
		// the rest is in output.log. Past the cap the live stream has
		// more than the log: what follows the cap in the log is only the
		// "output truncated" line, which the live stream does not carry.
		if c := spec.outputCap(); c >= 0 && n > c {
			n = c
		}
		follow(ctx, filepath.Join(j.dir, OutputFile), n, out, j.ended, func() bool { return isClosed(j.ended) })
	}()
	return j, nil
}

func writeSpec(spec Spec) error {
	m := mask.New(spec.Secrets)
	ds := diskSpec{
		Dir: spec.Dir, Shell: spec.Shell, Script: m.String(spec.Script), VarsFile: spec.VarsFile, Sets: spec.Sets,
		Timeout: spec.Timeout, Grace: spec.Grace, StartedBy: os.Getpid(), Created: time.Now().UTC(),
	}
	for _, kv := range spec.Env {
		k, _, _ := strings.Cut(kv, "=")
		ds.EnvKeys = append(ds.EnvKeys, k)
	}
	b, err := json.MarshalIndent(ds, "", "  ")
	if err != nil {
		return fmt.Errorf("runner: %w", err)
	}
	// Informational, so no fsync on the start-up path.
	if err := writeFileRename(filepath.Join(spec.JobDir, SpecFile), append(b, '\n')); err != nil {
		return fmt.Errorf("runner: %w", err)
	}
	return nil
}

// copyLive copies the live pipe to out until it ends or ctx is done and
// returns the number of bytes delivered; the error is out's.
func copyLive(ctx context.Context, r *os.File, out io.Writer) (int64, error) {
	defer r.Close()
	stop := context.AfterFunc(ctx, func() { r.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	buf := make([]byte, chunkSize)
	var n int64
	for {
		m, err := r.Read(buf)
		if m > 0 {
			if _, werr := out.Write(buf[:m]); werr != nil {
				return n, werr
			}
			n += int64(m)
		}
		if err != nil {
			return n, nil
		}
	}
}

// follow copies path from offset to out, polling for growth, until ctx is
// done or finished reports true (then it copies what is left and returns).
// wake, if not nil, cuts a poll short.
func follow(ctx context.Context, path string, offset int64, out io.Writer, wake <-chan struct{}, finished func() bool) {
	var f *os.File
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	var buf []byte
	copyNew := func() {
		if out == nil {
			return
		}
		if f == nil {
			var err error
			if f, err = os.Open(path); err != nil {
				return
			}
			buf = make([]byte, chunkSize)
		}
		for ctx.Err() == nil {
			m, err := f.ReadAt(buf, offset)
			if m > 0 {
				if _, werr := out.Write(buf[:m]); werr != nil {
					out = nil // the reader went away; still wait for the end
					return
				}
				offset += int64(m)
			}
			if err != nil || m == 0 {
				return
			}
		}
	}
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for ctx.Err() == nil {
		done := finished()
		copyNew()
		if done {
			return
		}
		select {
		case <-ctx.Done():
		case <-wake:
			wake = nil
		case <-t.C:
		}
	}
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// Dir returns the job directory.
func (j *Job) Dir() string { return j.dir }

// Wait blocks until the job ends and all its output reached out, and
// returns its result. If the supervisor ended without writing a result, the
// result says "supervisor died" (ExitCode -1) and is written to the job dir
// so that later readers see the job as interrupted. Safe to call more than
// once and from several goroutines.
func (j *Job) Wait() (Result, error) {
	j.once.Do(func() {
		if j.proc != nil {
			<-j.ended
		}
		<-j.followDone
		if j.reported != nil {
			j.res = *j.reported
			return
		}
		r, ok, err := ReadResult(j.dir)
		switch {
		case err != nil || ok:
		case j.proc == nil && Alive(j.dir):
			// Attach's ctx ended the following; the job runs on.
			err = fmt.Errorf("job %s still running: %w", j.dir, context.Cause(j.ctx))
		default:
			r, err = diedResult(j.dir)
		}
		j.res, j.err = r, err
	})
	return j.res, j.err
}

// Cancel asks the supervisor to stop the command: SIGTERM to bash's process
// group, SIGKILL after the grace. Result.Canceled records it. Cancelling a
// job that has ended does nothing.
func (j *Job) Cancel() error {
	if j.proc != nil {
		if isClosed(j.procDone) {
			return nil
		}
		if err := j.proc.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("cancel job %s: %w", j.dir, err)
		}
		return nil
	}
	if _, ok, _ := ReadResult(j.dir); ok {
		return nil
	}
	t, err := readPidFile(j.dir)
	if err != nil {
		return fmt.Errorf("cancel job %s: %w", j.dir, err)
	}
	if !Alive(j.dir) {
		return nil // ended; Wait reports how
	}
	if supervisorAlive(j.dir) {
		if err := syscall.Kill(t.pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("cancel job %s: %w", j.dir, err)
		}
		return nil
	}
	// The supervisor is gone but the command runs on: signal its group
	// directly (no grace escalation without the supervisor; SIGTERM first,
	// as the operator asked to cancel, not to kill).
	g, err := readToken(filepath.Join(j.dir, GroupFile))
	if err != nil {
		return fmt.Errorf("cancel job %s: %w", j.dir, err)
	}
	if err := syscall.Kill(-g.pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("cancel job %s: %w", j.dir, err)
	}
	return nil
}

// AttachOption changes how Attach follows a job.
type AttachOption func(*attachOptions)

type attachOptions struct{ offset int64 }

// FromOffset starts following output.log at byte offset n instead of the
// beginning (for a caller that already showed the first n bytes).
func FromOffset(n int64) AttachOption { return func(o *attachOptions) { o.offset = n } }

// Attach follows a job started by another process, possibly dead: out
// receives output.log from the start (or FromOffset) until result.json
// appears; then Wait returns the result. If the supervisor dies without a
// result, Wait reports "supervisor died". Cancel signals the supervisor
// named in the pid file. ctx stops the following (and Wait then returns
// what is known).
func Attach(ctx context.Context, jobDir string, out io.Writer, opts ...AttachOption) (*Job, error) {
	var o attachOptions
	for _, opt := range opts {
		opt(&o)
	}
	jobDir, err := filepath.Abs(jobDir)
	if err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	found := false
	for _, name := range []string{SpecFile, PidFile, OutputFile, ResultFile} {
		if _, err := os.Stat(filepath.Join(jobDir, name)); err == nil {
			found = true
			break
		}
	}
	if !found {
		return nil, fmt.Errorf("runner: no job in %s", jobDir)
	}
	j := &Job{dir: jobDir, followDone: make(chan struct{}), ctx: ctx}
	finished := func() bool {
		if _, ok, _ := ReadResult(jobDir); ok {
			return true
		}
		if Alive(jobDir) {
			return false
		}
		// Dead without a result, unless it wrote one just now.
		_, ok, _ := ReadResult(jobDir)
		if !ok {
			diedResult(jobDir)
		}
		return true
	}
	go func() {
		defer close(j.followDone)
		follow(ctx, filepath.Join(jobDir, OutputFile), o.offset, out, nil, finished)
	}()
	return j, nil
}

// StartPending says whether a job with neither a result nor a pid file may
// still start: its supervisor is within startGrace of the job dir's
// creation. NeverStarted waits out that window; a caller holding a lock
// asks this first and waits (NeverStarted) after releasing it.
func StartPending(jobDir string) bool {
	fi, err := os.Stat(jobDir)
	if err != nil {
		return false
	}
	if _, err := os.Lstat(filepath.Join(jobDir, PidFile)); err == nil {
		return false
	}
	return time.Since(fi.ModTime()) < startGrace
}
