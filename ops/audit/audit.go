// Package audit keeps the audit log: who ran what, where, when, with which
// confirmation and result. It is append-only JSON lines, fsync'd after each
// record, and tamper-evident: each record carries the SHA-256 of the line
// before it, so changing, removing or inserting a line breaks the chain
// (Verify finds where). A crash mid-write leaves at worst a torn last line;
// the next record starts on a fresh line and Read skips the torn one.
//
// Secrets must be masked by the caller before a record is appended.
package audit

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"planner-tui/ops/fsutil"
)

// Record is one audit log line.
type Record struct {
	Time time.Time `json:"time"` // UTC
	// Event is what happened: run.new, run.start, run.end, confirm, refuse,
	// cancel, check, note, skip, backup, lock.refused, ...
	Event     string `json:"event"`
	RunID     string `json:"run_id,omitempty"`
	StepID    string `json:"step_id,omitempty"`
	CommandID string `json:"command_id,omitempty"`
	// JobID names the attempt of the command (its job dir) in run.start
	// and run.end, so that crash repair tells one attempt's end from the
	// next's. Absent in records of older versions.
	JobID   string `json:"job_id,omitempty"`
	Actor   Actor  `json:"actor"`
	Version string `json:"version,omitempty"` // planner-tui version
	// Command is the script as run, secrets already masked by the caller.
	Command string `json:"command,omitempty"`
	// Confirmation is what the operator typed (the phrase or "yes"); never
	// a secret.
	Confirmation string `json:"confirmation,omitempty"`
	ExitCode     *int   `json:"exit_code,omitempty"`
	// Duration is human-readable ("1m2.5s"); Append fills it from
	// DurationMS when empty.
	Duration   string `json:"duration,omitempty"`
	DurationMS int64  `json:"duration_ms,omitempty"`
	// Outcome: ok, failed, canceled, refused, timeout, interrupted.
	Outcome   string            `json:"outcome,omitempty"`
	Message   string            `json:"message,omitempty"`
	Artifacts map[string]string `json:"artifacts,omitempty"` // backup path, size, sha256, ...
	// ApprovalID and Approver are set on approval.* records: the request,
	// and the engineer who approved or rejected it (Actor is the operator
	// whose planner-tui wrote the line; the approver's uid is the owner of
	// the decision file, not what it says).
	ApprovalID string `json:"approval_id,omitempty"`
	Approver   *Actor `json:"approver,omitempty"`
	// Prev is the SHA-256 (hex) of the previous line's bytes (without its
	// newline); "" for the first line. Append sets it.
	Prev string `json:"prev"`
}

// Log is an open audit log. Its methods are safe for concurrent use, and
// several processes may append to the same file: each append holds an
// exclusive flock on it while it reads the tail and writes.
type Log struct {
	mu   sync.Mutex
	f    *os.File
	path string
	// What we know of the file's end, valid while its size is end: the
	// hash of the last complete line, and whether a torn line (no "\n")
	// follows it.
	end  int64
	last string
	torn bool
}

// Open opens (creating, 0600) the audit log at path for appending. It
// reads only the tail of the file to find the last line's hash.
func Open(path string) (*Log, error) {
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		// A new file: make its directory entry durable too.
		if err := fsutil.SyncDir(filepath.Dir(path)); err != nil {
			f.Close()
			return nil, fmt.Errorf("open audit log %s: %w", path, err)
		}
	}
	l := &Log{f: f, path: path}
	if err := flock(f, syscall.LOCK_SH); err != nil {
		f.Close()
		return nil, fmt.Errorf("open audit log %s: lock: %w", path, err)
	}
	err = l.refresh()
	flock(f, syscall.LOCK_UN)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open audit log %s: %w", path, err)
	}
	return l, nil
}

// refresh re-reads the tail if the file changed size since we last looked
// (another process appended).
func (l *Log) refresh() error {
	fi, err := l.f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() == l.end && l.end > 0 {
		return nil
	}
	last, torn, err := readTail(l.f, fi.Size())
	if err != nil {
		return err
	}
	l.end, l.last, l.torn = fi.Size(), last, torn
	return nil
}

// Append writes r as one line: it sets Time (now, if zero; always UTC) and
// Prev, writes the line with a single write(2), and fsyncs before
// returning.
func (l *Log) Append(r Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return fmt.Errorf("audit log %s: append after Close", l.path)
	}
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	r.Time = r.Time.UTC()
	if r.Duration == "" && r.DurationMS > 0 {
		r.Duration = (time.Duration(r.DurationMS) * time.Millisecond).String()
	}

	if err := flock(l.f, syscall.LOCK_EX); err != nil {
		return fmt.Errorf("audit log %s: lock: %w", l.path, err)
	}
	defer flock(l.f, syscall.LOCK_UN)
	if err := l.refresh(); err != nil {
		return fmt.Errorf("audit log %s: %w", l.path, err)
	}
	r.Prev = l.last
	body, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("audit log %s: encode %s record: %w", l.path, r.Event, err)
	}
	buf := make([]byte, 0, len(body)+2)
	if l.torn {
		// The last write was cut short by a crash: leave its fragment on
		// a line of its own rather than glue this record onto it.
		buf = append(buf, '\n')
	}
	buf = append(buf, body...)
	buf = append(buf, '\n')
	n, err := l.f.Write(buf)
	if err != nil {
		l.end = -1 // unknown: re-read the tail next time
		return fmt.Errorf("audit log %s: write %s record (%d of %d bytes written): %w", l.path, r.Event, n, len(buf), err)
	}
	if err := l.f.Sync(); err != nil {
		l.end = -1
		return fmt.Errorf("audit log %s: fsync: %w", l.path, err)
	}
	l.end += int64(len(buf))
	l.last = hashLine(body)
	l.torn = false
	return nil
}

// Close closes the log.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	if err != nil {
		return fmt.Errorf("close audit log %s: %w", l.path, err)
	}
	return nil
}

func hashLine(line []byte) string {
	sum := sha256.Sum256(line)
	return hex.EncodeToString(sum[:])
}

const tailChunk = 64 << 10

// readTail finds, reading backwards from size, the hash of the last
// complete ("\n"-terminated) line, and whether bytes without a final "\n"
// follow it (a torn write).
func readTail(f *os.File, size int64) (last string, torn bool, err error) {
	if size == 0 {
		return "", false, nil
	}
	var b [1]byte
	if _, err := f.ReadAt(b[:], size-1); err != nil {
		return "", false, fmt.Errorf("read tail: %w", err)
	}
	torn = b[0] != '\n'
	end, err := lastNewline(f, size) // end of the last complete line
	if err != nil || end < 0 {
		return "", torn, err
	}
	start, err := lastNewline(f, end) // end of the line before it
	if err != nil {
		return "", torn, err
	}
	line := make([]byte, end-(start+1))
	if _, err := f.ReadAt(line, start+1); err != nil {
		return "", torn, fmt.Errorf("read tail: %w", err)
	}
	return hashLine(line), torn, nil
}

// lastNewline is the offset of the last "\n" before offset before, or -1.
func lastNewline(f *os.File, before int64) (int64, error) {
	buf := make([]byte, tailChunk)
	for before > 0 {
		n := min(int64(len(buf)), before)
		off := before - n
		if _, err := f.ReadAt(buf[:n], off); err != nil {
			return 0, fmt.Errorf("read tail: %w", err)
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return off + int64(i), nil
		}
		before = off
	}
	return -1, nil
}

// Read returns the records of the log at path, in order. Lines that are
// not records (a torn write from a crash) are skipped; Verify reports
// them.
func Read(path string) ([]Record, error) {
	lines, err := ReadLines(path)
	recs := make([]Record, 0, len(lines))
	for _, l := range lines {
		recs = append(recs, l.Record)
	}
	if len(recs) == 0 {
		recs = nil
	}
	return recs, err
}

// Verify checks that every line is a record whose Prev is the hash of the
// record before it. It returns 0, nil for an intact log; the 1-based line
// of the first break and an error saying what is wrong there; or 0 and an
// error if the file cannot be read. A line changed in place shows as a
// break on the line after it (a change to the very last line cannot be
// detected by the chain alone). Fragments of writes torn by a crash are
// not breaks (see verify); Check reports them.
func Verify(path string) (bad int, err error) {
	bad, _, _, err = verify(path)
	return bad, err
}

// verify is Verify that also returns the lines read and the torn
// fragments: a line that is not a record, whose next record chains over it
// to the record before it (Append puts the record after a crash's fragment
// on a line of its own, with the last good record's hash), or an
// unterminated last line (the crash's, before any append). A line that is
// not a record and is not skipped so is a break, as is any record whose
// Prev does not match: tampering never reads as a crash.
func verify(path string) (bad, lines int, torn []int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("verify audit log: %w", err)
	}
	defer f.Close()
	prev := ""
	errBreak := errors.New("break")
	var (
		msg          string
		fragments    []int // lines not yet known to be skipped by the chain
		lastComplete bool  // the last line ends with "\n"
	)
	err = eachLine(f, func(n int, line []byte, complete bool) error {
		lines, lastComplete = n, complete
		var r Record
		if !complete || json.Unmarshal(line, &r) != nil {
			fragments = append(fragments, n)
			return nil
		}
		if r.Prev != prev {
			switch {
			case len(fragments) > 0:
				bad, msg = fragments[0], "not a record, and the next record does not chain over it: a torn write or an edit"
			case n == 1:
				bad, msg = n, "first record has a prev hash: lines before it were removed"
			default:
				bad, msg = n, fmt.Sprintf("prev hash does not match line %d: a line was changed, removed or inserted", n-1)
			}
			return errBreak
		}
		torn = append(torn, fragments...)
		fragments = nil
		prev = hashLine(line)
		return nil
	})
	switch {
	case errors.Is(err, errBreak):
		return bad, lines, torn, fmt.Errorf("audit log %s line %d: %s", path, bad, msg)
	case err != nil:
		return 0, lines, torn, fmt.Errorf("verify audit log %s: %w", path, err)
	}
	if k := len(fragments); k > 0 {
		// At the end: only an unterminated last line is a crash's (a
		// fragment Append has not yet put a record after).
		if k > 1 || fragments[0] != lines || lastComplete {
			return fragments[0], lines, torn, fmt.Errorf("audit log %s line %d: not a record: a torn write or an edit", path, fragments[0])
		}
		torn = append(torn, fragments[0])
	}
	return 0, lines, torn, nil
}

// eachLine calls fn with each line (without "\n") and its 1-based number;
// complete is false for a last line with no "\n".
func eachLine(r io.Reader, fn func(n int, line []byte, complete bool) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			complete := line[len(line)-1] == '\n'
			if complete {
				line = line[:len(line)-1]
			}
			if ferr := fn(n, line, complete); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// flock retries on EINTR: Go's runtime signals (preemption) interrupt it.
func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}
