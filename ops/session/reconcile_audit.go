package session

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
)

// EnvTestCrash makes this process kill itself (SIGKILL) at a named point,
// for the tests of crash recovery; nothing else sets it.
const EnvTestCrash = "PLANNER_TUI_TEST_CRASH"

// Crash points (values of EnvTestCrash).
const (
	// after the end of a command is saved, before its run.end is audited
	crashAfterSave = "after-save"
	// after a command is marked running, before its supervisor starts
	crashBeforeSupervisor = "before-supervisor"
)

func crashPoint(name string) {
	if os.Getenv(EnvTestCrash) == name {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is on its way
	}
}

// missingEnds returns the run.end records that a planner-tui killed
// between saving a command's end and auditing it never wrote (the command
// still carries its EndAudit mark and the audit log has no run.end for it
// since it started). Marks whose record is in the log are cleared.
func (r *recorder) missingEnds(run *checklist.Run) []audit.Record {
	var ids []string
	for id, cr := range run.Commands {
		if cr.EndAudit != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 || !r.hasLog() {
		return nil
	}
	sort.Strings(ids)
	var recs []audit.Record
	for _, id := range ids {
		cr := run.Commands[id]
		found, err := auditHasEnd(r.store.AuditPath(), run.ID, id, cr.JobID, cr.Started)
		if err != nil {
			continue // unreadable now: the mark stays for the next start
		}
		if found {
			cr.EndAudit = ""
			continue
		}
		recs = append(recs, recoveredEnd(run.ID, r.stepID(id), id, cr))
	}
	return recs
}

// recoveredEnd rebuilds a command's run.end record from its saved state.
func recoveredEnd(runID, stepID, cmdID string, cr *checklist.CommandRun) audit.Record {
	code := cr.ExitCode
	var dur time.Duration
	if !cr.Started.IsZero() && !cr.Ended.IsZero() {
		dur = cr.Ended.Sub(cr.Started)
	}
	msg := strings.TrimSpace(endMessage(cr) + " (recorded at the next start: planner-tui stopped after saving this end, before auditing it)")
	return audit.Record{Event: "run.end", RunID: runID, StepID: stepID, CommandID: cmdID, JobID: cr.JobID, ExitCode: &code,
		DurationMS: dur.Milliseconds(), Outcome: cr.EndAudit, Message: msg}
}

// auditHasEnd reports whether the audit log at path has a run.end of this
// attempt (jobID) of the command in the run. It reads the log backwards
// from its end, only as far back as since (when the attempt started): the
// records are in time order. A record without a job id (older versions)
// counts when it is not older than a second before since; one with a job
// id only when it is this attempt's: a quick re-run killed between its save
// and its audit must not take the previous attempt's end for its own.
func auditHasEnd(path, runID, cmdID, jobID string, since time.Time) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	end := fi.Size()
	var carry []byte // the start of a line cut by the previous chunk
	const chunk = 64 << 10
	for end > 0 {
		start := max(end-chunk, 0)
		buf := make([]byte, end-start, int(end-start)+len(carry))
		if _, err := f.ReadAt(buf, start); err != nil && !errors.Is(err, io.EOF) {
			return false, err
		}
		buf = append(buf, carry...)
		lines := bytes.Split(buf, []byte{'\n'})
		carry = nil
		if start > 0 {
			// The first piece may be the tail of a line that begins in
			// the chunk before.
			carry = lines[0]
			lines = lines[1:]
		}
		for i := len(lines) - 1; i >= 0; i-- {
			var r struct {
				Time      time.Time `json:"time"`
				Event     string    `json:"event"`
				RunID     string    `json:"run_id"`
				CommandID string    `json:"command_id"`
				JobID     string    `json:"job_id"`
			}
			if len(bytes.TrimSpace(lines[i])) == 0 || json.Unmarshal(lines[i], &r) != nil {
				continue
			}
			if r.Event == "run.end" && r.RunID == runID && r.CommandID == cmdID {
				switch {
				case r.JobID != "" && jobID != "":
					if r.JobID == jobID {
						return true, nil
					}
				case since.IsZero() || !r.Time.Before(since.Add(-time.Second)):
					return true, nil
				}
			}
			if !since.IsZero() && r.Time.Before(since.Add(-time.Second)) {
				return false, nil
			}
		}
		end = start
	}
	return false, nil
}
