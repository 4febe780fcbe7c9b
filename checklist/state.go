package checklist

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"planner-tui/ops/fsutil"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// StateVersion is the version of the state.json format this build writes.
// Files with a newer version are refused rather than half-understood.
const StateVersion = 1

// Store is the state dir: the runs, the pointer to the current one, the
// audit log and the operator lock.
//
//	<dir>/current.json         the current run of each runbook: {"<runbook path>": "<run id>"}
//	<dir>/current.lock         flock around current.json's read-modify-write
//	<dir>/current              id of the run made current last (any runbook; read
//	                           when current.json does not name the runbook, for state
//	                           dirs of older versions)
//	<dir>/runs/<id>/state.json the run (written atomically)
//	<dir>/runs/<id>/vars.sh    shell variables the run's commands set
//	<dir>/runs/<id>/jobs/<job> one command execution (logs, exit status)
//	<dir>/audit.jsonl          the audit log
//	<dir>/lock                 the operator lock
//
// A Store holds no mutable state; callers serialise their own writes to
// one run (the session does).
type Store struct{ Dir string }

// RunSummary is what a list of runs shows about each run.
type RunSummary struct {
	ID       string
	Title    string
	Runbook  string
	Operator string
	Host     string
	Started  time.Time
	Updated  time.Time
	Ended    time.Time // zero while the run is open
	// Counts are the commands of the run by status.
	Counts     map[Status]int
	ChecksDone int
	Current    bool
	// Err is set when the run's state could not be read; the other fields
	// are then only what the id tells (ID, Started).
	Err error
}

// DefaultStateDir is $XDG_STATE_HOME/planner-tui, else
// ~/.local/state/planner-tui.
func DefaultStateDir() (string, error) {
	// The XDG spec says relative values are invalid and must be ignored.
	if x := os.Getenv("XDG_STATE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "planner-tui"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("state dir: no XDG_STATE_HOME and %w", err)
	}
	return filepath.Join(home, ".local", "state", "planner-tui"), nil
}

// OpenStore opens the state dir, creating it (0700: it holds command output
// and the audit log) and its runs/ dir if missing.
func OpenStore(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("open state dir: empty path")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open state dir %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("open state dir %s: %w", abs, err)
	}
	// runs/ is group-readable when the state dir is (fsutil.FileMode: a
	// shared state dir lets a watcher read the run).
	if err := fsutil.MkdirShared(filepath.Join(abs, "runs")); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("open state dir %s: %w", abs, err)
	}
	return &Store{Dir: abs}, nil
}

// RunDir is <dir>/runs/<id>.
func (s *Store) RunDir(id string) string { return filepath.Join(s.Dir, "runs", id) }

// JobDir is <dir>/runs/<id>/jobs/<jobID>.
func (s *Store) JobDir(runID, jobID string) string {
	return filepath.Join(s.RunDir(runID), "jobs", jobID)
}

// VarsFile is <dir>/runs/<id>/vars.sh.
func (s *Store) VarsFile(runID string) string { return filepath.Join(s.RunDir(runID), "vars.sh") }

// AuditPath is <dir>/audit.jsonl.
func (s *Store) AuditPath() string { return filepath.Join(s.Dir, "audit.jsonl") }

// LockPath is <dir>/lock.
func (s *Store) LockPath() string { return filepath.Join(s.Dir, "lock") }

func (s *Store) statePath(id string) string { return filepath.Join(s.RunDir(id), "state.json") }
func (s *Store) currentPath() string        { return filepath.Join(s.Dir, "current") }
func (s *Store) currentMapPath() string     { return filepath.Join(s.Dir, "current.json") }

var validRunID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// checkRunID refuses ids that would escape runs/ when joined to a path.
func checkRunID(id string) error {
	if !validRunID.MatchString(id) || len(id) > 200 {
		return fmt.Errorf("invalid run id %q (letters, digits, '.', '_', '-' only)", id)
	}
	return nil
}

// NewRun creates a run, saves it and makes it current. Its id is the UTC
// start time and a slug of the title ("20261127-113402-deploy"), with
// "-2", "-3", ... added when a run of that name exists already.
func (s *Store) NewRun(runbookPath, title, operator, host string, now time.Time) (*Run, error) {
	now = now.UTC()
	name := Slug(title)
	if name == "" {
		name = "run"
	}
	base := now.Format("20060102-150405") + "-" + name
	id := base
	for n := 2; ; n++ {
		// Mkdir is the uniqueness check: it fails if another process (or
		// an earlier call this second) took the name.
		err := fsutil.MkdirShared(s.RunDir(id))
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("new run: %w", err)
		}
		if n > 1000 {
			return nil, fmt.Errorf("new run: too many runs named %s", base)
		}
		id = base + "-" + strconv.Itoa(n)
	}
	r := &Run{
		ID:       id,
		Runbook:  runbookPath,
		Title:    title,
		Operator: operator,
		Host:     host,
		Started:  now,
	}
	r.initMaps()
	if err := s.Save(r); err != nil {
		os.RemoveAll(s.RunDir(id)) // do not leave an unreadable run behind
		return nil, fmt.Errorf("new run: %w", err)
	}
	if err := s.SetCurrent(id); err != nil {
		return nil, fmt.Errorf("new run: %w", err)
	}
	return r, nil
}

// Current is the run made current last, whatever its runbook, or (nil,
// nil) if there is none. A current run whose state cannot be read is an
// error (the caller decides whether to start a new run).
func (s *Store) Current() (*Run, error) {
	id, err := s.lastCurrentID()
	if err != nil || id == "" {
		return nil, err
	}
	r, err := s.Load(id)
	if err != nil {
		return nil, fmt.Errorf("current run: %w", err)
	}
	return r, nil
}

func (s *Store) lastCurrentID() (string, error) {
	b, err := os.ReadFile(s.currentPath())
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("current run: %w", err)
	}
	id := strings.TrimSpace(string(b))
	if id == "" {
		return "", nil
	}
	if err := checkRunID(id); err != nil {
		return "", fmt.Errorf("current run (%s): %w", s.currentPath(), err)
	}
	return id, nil
}

// currentMap reads current.json: runbook path -> run id. A missing file
// is an empty map.
func (s *Store) currentMap() (map[string]string, error) {
	m := map[string]string{}
	b, err := os.ReadFile(s.currentMapPath())
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, fmt.Errorf("current runs: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("current runs: %s: %w", s.currentMapPath(), err)
	}
	return m, nil
}

// CurrentFor is the current run of a runbook, or (nil, nil) if it has
// none. Each runbook has its own current run, so that opening another
// runbook on the same state dir does not abandon this one. A state dir of
// an older version has only the single `current`: its run counts as the
// current run of its own runbook.
func (s *Store) CurrentFor(runbookPath string) (*Run, error) {
	m, err := s.currentMap()
	if err != nil {
		return nil, err
	}
	if id, ok := m[runbookPath]; ok {
		if err := checkRunID(id); err != nil {
			return nil, fmt.Errorf("current run of %s (%s): %w", runbookPath, s.currentMapPath(), err)
		}
		r, err := s.Load(id)
		if err != nil {
			return nil, fmt.Errorf("current run of %s: %w", runbookPath, err)
		}
		return r, nil
	}
	r, err := s.Current()
	if err != nil || r == nil || r.Runbook != runbookPath {
		return nil, err
	}
	return r, nil
}

// SetCurrent makes the run with this id the current one of its runbook
// (and the one made current last).
func (s *Store) SetCurrent(id string) error {
	if err := checkRunID(id); err != nil {
		return fmt.Errorf("set current run: %w", err)
	}
	if _, err := os.Stat(s.statePath(id)); err != nil {
		return fmt.Errorf("set current run %s: %w", id, err)
	}
	// A run whose state cannot be read has no known runbook: it becomes
	// only the last current run, and reading it reports the damage.
	if r, err := s.Load(id); err == nil {
		unlock, err := s.lockCurrent()
		if err != nil {
			return fmt.Errorf("set current run %s: %w", id, err)
		}
		defer unlock()
		m, err := s.currentMap()
		if err != nil {
			return fmt.Errorf("set current run %s: %w", id, err)
		}
		m[r.Runbook] = id
		b, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return fmt.Errorf("set current run %s: %w", id, err)
		}
		if err := fsutil.WriteFileAtomic(s.currentMapPath(), append(b, '\n'), fsutil.FileMode(s.Dir)); err != nil {
			return fmt.Errorf("set current run %s: %w", id, err)
		}
	}
	// For older planner-tui versions, which read only this file.
	if err := fsutil.WriteFileAtomic(s.currentPath(), []byte(id+"\n"), fsutil.FileMode(s.Dir)); err != nil {
		return fmt.Errorf("set current run %s: %w", id, err)
	}
	return nil
}

// stateFile is the on-disk form of a Run: the run's fields with a version
// beside them ({"version":1,"id":...}).
type stateFile struct {
	Version int `json:"version"`
	*Run
}

// Load reads a run. A truncated or corrupt state.json is an error naming
// the file and the line and column where it goes wrong.
func (s *Store) Load(id string) (*Run, error) {
	if err := checkRunID(id); err != nil {
		return nil, fmt.Errorf("load run: %w", err)
	}
	path := s.statePath(id)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load run %s: %w", id, err)
	}
	r, err := decodeState(path, b)
	if err != nil {
		return nil, err
	}
	if r.ID == "" {
		r.ID = id
	}
	if r.ID != id {
		return nil, fmt.Errorf("%s: holds run %q, not %q (copied from another run?)", path, r.ID, id)
	}
	return r, nil
}

func decodeState(path string, b []byte) (*Run, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, fmt.Errorf("%s: empty file (truncated by a crash or a full disk?)", path)
	}
	sf := stateFile{Run: &Run{}}
	// Unknown fields are ignored: a newer minor version may add some.
	if err := json.Unmarshal(b, &sf); err != nil {
		var off int64 = -1
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			off = syn.Offset
		case errors.As(err, &typ):
			off = typ.Offset
		}
		if off >= 0 {
			// Offset counts the bytes read, the offending one included.
			pos := max(off-1, 0)
			line, col := lineCol(b, pos)
			hint := ""
			if off >= int64(len(bytes.TrimRight(b, " \t\r\n"))) {
				hint = " (truncated by a crash or a full disk?)"
			}
			return nil, fmt.Errorf("%s: line %d, column %d (byte %d of %d): %w%s",
				path, line, col, pos, len(b), err, hint)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	switch {
	case sf.Version == 0:
		return nil, fmt.Errorf("%s: no \"version\" field: not a planner-tui run state", path)
	case sf.Version > StateVersion:
		return nil, fmt.Errorf("%s: state version %d is newer than this planner-tui understands (%d); use a newer planner-tui",
			path, sf.Version, StateVersion)
	case sf.Version < 0:
		return nil, fmt.Errorf("%s: invalid state version %d", path, sf.Version)
	}
	sf.Run.initMaps()
	return sf.Run, nil
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(b []byte, off int64) (line, col int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	pre := b[:off]
	line = bytes.Count(pre, []byte{'\n'}) + 1
	col = int(off) - (bytes.LastIndexByte(pre, '\n') + 1) + 1
	return line, col
}

// Save writes the run atomically (a crash leaves the old or the new state,
// never a mix) and sets r.Updated.
func (s *Store) Save(r *Run) error {
	if err := checkRunID(r.ID); err != nil {
		return fmt.Errorf("save run: %w", err)
	}
	r.Updated = time.Now().UTC()
	b, err := json.MarshalIndent(stateFile{Version: StateVersion, Run: r}, "", "  ")
	if err != nil {
		return fmt.Errorf("save run %s: %w", r.ID, err)
	}
	b = append(b, '\n')
	if err := fsutil.MkdirAllShared(s.RunDir(r.ID)); err != nil {
		return fmt.Errorf("save run %s: %w", r.ID, err)
	}
	if err := fsutil.WriteFileAtomic(s.statePath(r.ID), b, fsutil.FileMode(s.RunDir(r.ID))); err != nil {
		return fmt.Errorf("save run %s: %w", r.ID, err)
	}
	return nil
}

// Runs lists the runs, newest first. A run whose state cannot be read is
// listed with Err set, not dropped, so the operator sees it.
func (s *Store) Runs() ([]RunSummary, error) {
	ents, err := os.ReadDir(filepath.Join(s.Dir, "runs"))
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	// A run is current when it is its runbook's current run: from
	// current.json, else (older state dirs) the single current id.
	curMap, err := s.currentMap()
	if err != nil {
		return nil, err
	}
	last, _ := s.lastCurrentID()
	var out []RunSummary
	for _, e := range ents {
		id := e.Name()
		if !e.IsDir() || checkRunID(id) != nil {
			continue
		}
		sum := RunSummary{ID: id, Counts: map[Status]int{}}
		r, err := s.Load(id)
		if err != nil {
			sum.Err = err
			// The id starts with the UTC start time; good enough to sort.
			if len(id) >= 15 {
				if t, perr := time.Parse("20060102-150405", id[:15]); perr == nil {
					sum.Started = t
				}
			}
			out = append(out, sum)
			continue
		}
		sum.Title, sum.Runbook, sum.Operator, sum.Host = r.Title, r.Runbook, r.Operator, r.Host
		if cid, ok := curMap[r.Runbook]; ok {
			sum.Current = cid == id
		} else {
			sum.Current = id == last
		}
		sum.Started, sum.Updated, sum.Ended = r.Started, r.Updated, r.Ended
		for _, c := range r.Commands {
			if c != nil {
				sum.Counts[c.Status]++
			}
		}
		for _, c := range r.Checks {
			if c != nil && c.Done {
				sum.ChecksDone++
			}
		}
		out = append(out, sum)
	}
	slices.SortFunc(out, func(a, b RunSummary) int {
		if c := b.Started.Compare(a.Started); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out, nil
}

// initMaps makes every map non-nil so callers can write to them.
func (r *Run) initMaps() {
	if r.Commands == nil {
		r.Commands = map[string]*CommandRun{}
	}
	if r.Checks == nil {
		r.Checks = map[string]*CheckState{}
	}
	if r.Choices == nil {
		r.Choices = map[string]string{}
	}
	if r.Params == nil {
		r.Params = map[string]string{}
	}
	if r.Vars == nil {
		r.Vars = map[string]string{}
	}
	if r.Notes == nil {
		r.Notes = map[string][]Note{}
	}
}

// Command returns the state of a command in the run, creating a Pending
// one if it has none.
func (r *Run) Command(id string) *CommandRun {
	if r.Commands == nil {
		r.Commands = map[string]*CommandRun{}
	}
	c := r.Commands[id]
	if c == nil {
		c = &CommandRun{Status: Pending}
		r.Commands[id] = c
	}
	return c
}

// Clone is a deep copy of the run: the UI thread reads it while the
// session goes on changing the original.
func (r *Run) Clone() Run {
	c := *r
	c.Commands = make(map[string]*CommandRun, len(r.Commands))
	for k, v := range r.Commands {
		if v == nil {
			continue
		}
		cr := *v
		if v.Params != nil {
			cr.Params = cloneStrings(v.Params)
		}
		c.Commands[k] = &cr
	}
	c.Checks = make(map[string]*CheckState, len(r.Checks))
	for k, v := range r.Checks {
		if v == nil {
			continue
		}
		cs := *v
		c.Checks[k] = &cs
	}
	c.Choices = cloneStrings(r.Choices)
	c.Params = cloneStrings(r.Params)
	c.Vars = cloneStrings(r.Vars)
	c.Notes = make(map[string][]Note, len(r.Notes))
	for k, v := range r.Notes {
		c.Notes[k] = slices.Clone(v)
	}
	c.Backups = slices.Clone(r.Backups)
	c.Deployment = r.Deployment.Clone()
	if r.Attempts != nil {
		c.Attempts = make(map[string][]CommandRun, len(r.Attempts))
		for k, v := range r.Attempts {
			as := slices.Clone(v)
			for i := range as {
				as[i].Params = cloneStrings(as[i].Params)
			}
			c.Attempts[k] = as
		}
	}
	return c
}

func cloneStrings(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Progress counts, among ids (command or check ids; duplicates count
// once), those that are done: commands that ended OK or were skipped, and
// ticked checks. Which ids belong (for example only the chosen command of
// an alternative group) is the caller's business.
func (r *Run) Progress(ids []string) (done, total int) {
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		total++
		if c := r.Commands[id]; c != nil && (c.Status == OK || c.Status == Skipped) {
			done++
		} else if ch := r.Checks[id]; ch != nil && ch.Done {
			done++
		}
	}
	return done, total
}
