package session

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"planner-tui/checklist"
	"planner-tui/ops/runner"
)

// maxMatchLine is how much of a matching output line the detail quotes.
const maxMatchLine = 160

// maxScanLine is how much of one output line fail-if/warn-if see; the rest
// of a longer line is skipped (a megabyte of base64 is no check's output).
const maxScanLine = 64 << 10

// outputScan is what scanning a job's output.log for fail-if / warn-if
// found. finish scans before it takes the run mutex (a log may be hundreds
// of megabytes) and hands the result to judge.
type outputScan struct {
	log                string // the log scanned
	failLine, warnLine string
	// partial says why some of the output was not checked ("" when all
	// of it was): output past the cap, a log the disk could not hold, or
	// a line longer than maxScanLine.
	partial string
	err     error
}

// scanFor scans the log of a command whose outcome needs its output, and
// says what of it the log lacks (res.Dropped, res.LogError); nil when the
// outcome does not depend on the output.
func (r *recorder) scanFor(cmdID, logPath string, res runner.Result) *outputScan {
	cmd, err := r.runbook.Command(cmdID)
	if err != nil || !cmd.Outcome.NeedsOutput() {
		return nil
	}
	sc := &outputScan{log: logPath}
	var longLine bool
	sc.failLine, sc.warnLine, longLine, sc.err = scanOutput(logPath, cmd.Outcome)
	var why []string
	if res.Dropped > 0 {
		why = append(why, fmt.Sprintf("%d bytes past the output cap were not logged", res.Dropped))
	}
	if res.LogError != "" {
		why = append(why, "the log is incomplete ("+res.LogError+")")
	}
	if longLine {
		why = append(why, fmt.Sprintf("a line longer than %d KiB was checked only in its first %d KiB", maxScanLine>>10, maxScanLine>>10))
	}
	sc.partial = strings.Join(why, "; ")
	return sc
}

// judge decides how a command that ran to its end did: ok, warning or
// failed, from its exit code, its fence's outcome rules and, for fail-if /
// warn-if, its masked output.log read line by line (pre, when finish
// scanned it already; else it is scanned now). A log that does not hold
// all the output (past the cap, a full disk) cannot vouch for the command:
// its best outcome is a warning that says so. It sets cr.Status and
// cr.Detail and returns the audit outcome. It only reads the runbook and
// the log.
func (r *recorder) judge(cmdID string, cr *checklist.CommandRun, res runner.Result, pre *outputScan) string {
	var o checklist.Outcome
	if cmd, err := r.runbook.Command(cmdID); err == nil {
		o = cmd.Outcome
	}
	exitCode := res.ExitCode
	if !o.NeedsOutput() {
		cr.Status, cr.Detail = o.Judge(exitCode, "", "")
		return string(cr.Status)
	}
	sc := pre
	if sc == nil || sc.log != cr.Log {
		if sc = r.scanFor(cmdID, cr.Log, res); sc == nil {
			sc = &outputScan{err: errors.New("the command has no outcome rules")}
		}
	}
	if sc.err != nil {
		// Unread output cannot vouch for the command: a fail-if that
		// was not checked is not passed.
		cr.Status, cr.Detail = o.Judge(exitCode, "", "")
		if cr.Status == checklist.OK {
			cr.Status, cr.Detail = checklist.Warning, "could not check the output: "+sc.err.Error()
		}
		return string(cr.Status)
	}
	status, detail := o.Judge(exitCode, r.shown(sc.failLine), r.shown(sc.warnLine))
	if sc.partial != "" && sc.failLine == "" {
		// (a fail-if match stands whatever the rest of the log held)
		note := "output not fully checked: " + sc.partial
		if status == checklist.OK {
			status, detail = checklist.Warning, note
		} else {
			detail = strings.TrimPrefix(detail+"; "+note, "; ")
		}
	}
	cr.Status, cr.Detail = status, detail
	return string(status)
}

// shown is a matched line as the detail quotes it: masked (again: .env may
// have changed since the supervisor masked it) and cut.
func (r *recorder) shown(line string) string {
	if line == "" {
		return ""
	}
	line = strings.TrimSpace(r.mask(line))
	if r := []rune(line); len(r) > maxMatchLine {
		line = string(r[:maxMatchLine]) + "…"
	}
	if line == "" {
		line = "(a blank line)"
	}
	return line
}

// scanOutput streams a job's output.log and returns the first line that
// matches the outcome's fail-if and the first that matches its warn-if. It
// stops at the first fail-if match (nothing outranks it). longLine says a
// line was longer than maxScanLine: only its start was checked.
func scanOutput(logPath string, o checklist.Outcome) (failLine, warnLine string, longLine bool, err error) {
	if logPath == "" {
		return "", "", false, errors.New("the command has no output log")
	}
	f, err := os.Open(logPath)
	if err != nil {
		return "", "", false, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, maxScanLine)
	for {
		line, rerr := r.ReadSlice('\n')
		skipRest := errors.Is(rerr, bufio.ErrBufferFull)
		longLine = longLine || skipRest
		if len(line) > 0 {
			text := string(bytes.TrimRight(line, "\r\n"))
			if failLine == "" && o.FailIf != nil && o.FailIf.MatchString(text) {
				return orBlank(text), warnLine, longLine, nil
			}
			if warnLine == "" && o.WarnIf != nil && o.WarnIf.MatchString(text) {
				warnLine = orBlank(text)
				if o.FailIf == nil {
					return "", warnLine, longLine, nil
				}
			}
		}
		for skipRest {
			_, rerr = r.ReadSlice('\n')
			skipRest = errors.Is(rerr, bufio.ErrBufferFull)
		}
		if rerr == io.EOF {
			return failLine, warnLine, longLine, nil
		}
		if rerr != nil {
			return "", "", longLine, fmt.Errorf("read %s: %w", logPath, rerr)
		}
	}
}

// orBlank keeps a matching empty line distinguishable from "no match".
func orBlank(s string) string {
	if s == "" {
		return " "
	}
	return s
}

// derivedItem refuses a tick on a summary item that stands for a procedure:
// its ✓ comes from that procedure's commands and checks
// (checklist.SummaryItem), never from a tick on the item. Unticking is
// allowed (it clears a tick an older version stored).
func (s *Session) derivedItem(checkID string, done bool) error {
	sec := s.runbook.SummarySection()
	if !done || sec == nil {
		return nil
	}
	for _, st := range sec.Steps {
		for _, ch := range st.Checks {
			if ch.ID != checkID {
				continue
			}
			if groups, checks := s.runbook.ItemScope(ch); len(groups)+len(checks) > 0 {
				return fmt.Errorf("%q follows what it links to: it is done when those commands are ok and those checks are ticked, not by ticking it", ch.Text)
			}
		}
	}
	return nil
}
