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
)

// maxMatchLine is how much of a matching output line the detail quotes.
const maxMatchLine = 160

// maxScanLine is how much of one output line fail-if/warn-if see; the rest
// of a longer line is skipped (a megabyte of base64 is no check's output).
const maxScanLine = 64 << 10

// judge decides how a command that ran to its end did: ok, warning or
// failed, from its exit code, its fence's outcome rules and, for fail-if /
// warn-if, its masked output.log read line by line. It sets cr.Status and
// cr.Detail and returns the audit outcome. It only reads the runbook and the
// log.
func (r *recorder) judge(cmdID string, cr *checklist.CommandRun, exitCode int) string {
	var o checklist.Outcome
	if cmd, err := r.runbook.Command(cmdID); err == nil {
		o = cmd.Outcome
	}
	var failLine, warnLine string
	if o.NeedsOutput() {
		var err error
		failLine, warnLine, err = scanOutput(cr.Log, o)
		if err != nil {
			// Unread output cannot vouch for the command: a fail-if that
			// was not checked is not passed.
			cr.Status, cr.Detail = o.Judge(exitCode, "", "")
			if cr.Status == checklist.OK {
				cr.Status, cr.Detail = checklist.Warning, "could not check the output: "+err.Error()
			}
			return string(cr.Status)
		}
	}
	status, detail := o.Judge(exitCode, r.shown(failLine), r.shown(warnLine))
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
// stops at the first fail-if match (nothing outranks it).
func scanOutput(logPath string, o checklist.Outcome) (failLine, warnLine string, err error) {
	if logPath == "" {
		return "", "", errors.New("the command has no output log")
	}
	f, err := os.Open(logPath)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, maxScanLine)
	for {
		line, rerr := r.ReadSlice('\n')
		skipRest := errors.Is(rerr, bufio.ErrBufferFull)
		if len(line) > 0 {
			text := string(bytes.TrimRight(line, "\r\n"))
			if failLine == "" && o.FailIf != nil && o.FailIf.MatchString(text) {
				return orBlank(text), warnLine, nil
			}
			if warnLine == "" && o.WarnIf != nil && o.WarnIf.MatchString(text) {
				warnLine = orBlank(text)
				if o.FailIf == nil {
					return "", warnLine, nil
				}
			}
		}
		for skipRest {
			_, rerr = r.ReadSlice('\n')
			skipRest = errors.Is(rerr, bufio.ErrBufferFull)
		}
		if rerr == io.EOF {
			return failLine, warnLine, nil
		}
		if rerr != nil {
			return "", "", fmt.Errorf("read %s: %w", logPath, rerr)
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
