package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"
)

// Line is a record with its 1-based line number in the log, as `audit
// --json` prints it (the record's fields, then "line").
type Line struct {
	N int `json:"line"`
	Record
}

// ReadLines returns the records of the log with their line numbers;
// lines that are not records (a torn write) are left out, as in Read.
func ReadLines(path string) ([]Line, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer f.Close()
	var out []Line
	err = eachLine(f, func(n int, line []byte, complete bool) error {
		var r Record
		if complete && json.Unmarshal(line, &r) == nil {
			out = append(out, Line{N: n, Record: r})
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("read audit log %s: %w", path, err)
	}
	return out, nil
}

// VerifyReport is what `audit verify` says: the records counted, or the
// first broken line.
type VerifyReport struct {
	Path  string `json:"path"`
	OK    bool   `json:"ok"`
	Lines int    `json:"lines"`           // lines checked (all of them when OK)
	Bad   int    `json:"bad,omitempty"`   // the first broken line
	Why   string `json:"why,omitempty"`   // what is wrong there
	Error string `json:"error,omitempty"` // the log could not be read
	// Torn are the lines that are fragments of writes cut short by a
	// crash: the record being written there is lost, the chain goes on
	// over them (OK stays true).
	Torn []int `json:"torn,omitempty"`
}

// Check runs Verify and counts the lines; err is only for a log that
// cannot be read (a broken chain is a report with OK false).
func Check(path string) (VerifyReport, error) {
	rep := VerifyReport{Path: path}
	bad, lines, torn, err := verify(path)
	if err != nil && bad == 0 {
		rep.Error = err.Error()
		return rep, err
	}
	rep.Lines, rep.Torn = lines, torn
	if bad > 0 {
		rep.Bad = bad
		rep.Why = strings.TrimPrefix(err.Error(), fmt.Sprintf("audit log %s line %d: ", path, bad))
		return rep, nil
	}
	rep.OK = true
	return rep, nil
}

// Format is a record as one line for people: local time, actor, event,
// run, step or command, outcome (exit code, duration), the phrase typed,
// the message. Empty parts are left out.
func Format(r Record, loc *time.Location) string {
	if loc == nil {
		loc = time.Local
	}
	parts := []string{r.Time.In(loc).Format("2006-01-02 15:04:05"), r.Actor.User + "@" + r.Actor.Host, fmt.Sprintf("%-13s", r.Event)}
	if r.Actor.SudoUser != "" {
		parts[1] += " (sudo from " + r.Actor.SudoUser + ")"
	}
	if r.RunID != "" {
		parts = append(parts, "run "+r.RunID)
	}
	switch {
	case r.CommandID != "":
		parts = append(parts, r.CommandID)
	case r.StepID != "":
		parts = append(parts, r.StepID)
	}
	var res []string
	if r.Outcome != "" {
		res = append(res, r.Outcome)
	}
	if r.ExitCode != nil {
		res = append(res, fmt.Sprintf("exit %d", *r.ExitCode))
	}
	if r.Duration != "" {
		res = append(res, r.Duration)
	}
	if len(res) > 0 {
		parts = append(parts, strings.Join(res, ", "))
	}
	if r.Confirmation != "" {
		parts = append(parts, fmt.Sprintf("confirmed %q", r.Confirmation))
	}
	if r.Message != "" {
		parts = append(parts, "— "+strings.ReplaceAll(r.Message, "\n", " ⏎ "))
	}
	return strings.Join(parts, "  ")
}

// TailOptions say what Tail prints.
type TailOptions struct {
	N      int  // the last N records; <= 0 for all
	Follow bool // then wait for more until ctx ends
	JSON   bool // JSON lines (Line) instead of Format
	// Poll is how often a followed log is looked at (250 ms when 0): a
	// stat, no inotify, as the session's watcher.
	Poll time.Duration
	Loc  *time.Location
}

// Tail writes the last records of the log at path to w and, with Follow,
// the records appended after, until ctx ends (then it returns nil). A log
// that does not exist yet is empty (Follow waits for it).
func Tail(ctx context.Context, path string, w io.Writer, o TailOptions) error {
	if o.Poll <= 0 {
		o.Poll = 250 * time.Millisecond
	}
	write := func(l Line) error {
		if o.JSON {
			b, err := json.Marshal(l)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(w, "%s\n", b)
			return err
		}
		_, err := fmt.Fprintln(w, Format(l.Record, o.Loc))
		return err
	}
	// Read up to the last complete line, remembering where it ends.
	lines, off, n, err := readFrom(path, 0, 0)
	if err != nil && !(o.Follow && errors.Is(err, fs.ErrNotExist)) {
		return err
	}
	if o.N > 0 && len(lines) > o.N {
		lines = lines[len(lines)-o.N:]
	}
	for _, l := range lines {
		if err := write(l); err != nil {
			return err
		}
	}
	if !o.Follow {
		return nil
	}
	t := time.NewTicker(o.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		fi, err := os.Stat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return fmt.Errorf("follow audit log: %w", err)
		case fi.Size() < off:
			off, n = 0, 0 // replaced by a shorter file: start again
		case fi.Size() == off:
			continue
		}
		var more []Line
		more, off, n, err = readFrom(path, off, n)
		if err != nil {
			return err
		}
		for _, l := range more {
			if err := write(l); err != nil {
				return err
			}
		}
	}
}

// readFrom reads the complete lines of the log from offset off (line n
// ended there), returning the records, the offset after the last complete
// line and its number. A torn last line is left for the next read.
func readFrom(path string, off int64, n int) ([]Line, int64, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, off, n, fmt.Errorf("read audit log: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return nil, off, n, fmt.Errorf("read audit log %s: %w", path, err)
	}
	var out []Line
	err = eachLine(f, func(_ int, line []byte, complete bool) error {
		if !complete {
			return nil
		}
		n++
		off += int64(len(line)) + 1
		var r Record
		if json.Unmarshal(line, &r) == nil {
			out = append(out, Line{N: n, Record: r})
		}
		return nil
	})
	if err != nil {
		return out, off, n, fmt.Errorf("read audit log %s: %w", path, err)
	}
	return out, off, n, nil
}
