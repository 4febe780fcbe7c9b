package checklist

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// Outcome is how a command's end is judged besides "exit 0 is ok": the
// fence attributes fail-if, warn-if, ok-exit and warn-exit, and the
// exit-code convention of `planner-tui op` (3 = ran, something needs a
// look). The zero Outcome is "0 is ok, anything else failed".
//
// Precedence (see Judge): a fail-if match, then an exit code in neither
// set (failed), then warn-exit or a warn-if match (warning), then ok.
type Outcome struct {
	FailIf *regexp.Regexp // any output line matching makes the command failed
	WarnIf *regexp.Regexp // an ok exit and a line matching makes it a warning
	// OKExit are exit codes that also mean ok (0 always does, unless it is
	// in WarnExit), e.g. grep's 1 for "nothing found".
	OKExit []int
	// WarnExit are exit codes that mean "ran, something needs a look".
	WarnExit []int
	// Implicit is true when WarnExit is the `planner-tui op` convention
	// ([3]) rather than written in the fence.
	Implicit bool
}

// ExitWarning is the exit code of a `planner-tui op` that ran but found
// something that needs a look (missing variables, error lines in logs).
const ExitWarning = 3

// Zero reports whether the outcome is the default one (exit 0 ok, else failed).
func (o Outcome) Zero() bool {
	return o.FailIf == nil && o.WarnIf == nil && len(o.OKExit) == 0 && len(o.WarnExit) == 0
}

// String is the rules as the fence writes them ("fail-if=\"failed!$\"
// ok-exit=1"), the implicit op convention marked; "" for the default.
func (o Outcome) String() string {
	var parts []string
	if o.FailIf != nil {
		parts = append(parts, fmt.Sprintf("fail-if=%q", o.FailIf.String()))
	}
	if o.WarnIf != nil {
		parts = append(parts, fmt.Sprintf("warn-if=%q", o.WarnIf.String()))
	}
	list := func(codes []int) string {
		s := make([]string, len(codes))
		for i, c := range codes {
			s[i] = strconv.Itoa(c)
		}
		return strings.Join(s, ",")
	}
	if len(o.OKExit) > 0 {
		parts = append(parts, "ok-exit="+list(o.OKExit))
	}
	if len(o.WarnExit) > 0 {
		w := "warn-exit=" + list(o.WarnExit)
		if o.Implicit {
			w += " (planner-tui op)"
		}
		parts = append(parts, w)
	}
	return strings.Join(parts, " ")
}

// NeedsOutput reports whether judging needs the command's output.
func (o Outcome) NeedsOutput() bool { return o.FailIf != nil || o.WarnIf != nil }

// Judge decides a finished command's status from its exit code and, when
// the outcome has fail-if/warn-if, the first output line that matched each
// ("" for none). The detail says why, briefly, when it is not the plain
// "exit 0, ok" / "exit N, failed" (empty then).
func (o Outcome) Judge(exitCode int, failLine, warnLine string) (Status, string) {
	inWarn := slices.Contains(o.WarnExit, exitCode)
	inOK := exitCode == 0 || slices.Contains(o.OKExit, exitCode)
	switch {
	case o.FailIf != nil && failLine != "":
		return Failed, fmt.Sprintf("output matched fail-if %q: %s", o.FailIf.String(), failLine)
	case !inWarn && !inOK:
		return Failed, ""
	case inWarn:
		if o.Implicit {
			return Warning, fmt.Sprintf("exit %d: planner-tui op says something needs a look", exitCode)
		}
		return Warning, fmt.Sprintf("exit %d is in warn-exit", exitCode)
	case o.WarnIf != nil && warnLine != "":
		return Warning, fmt.Sprintf("output matched warn-if %q: %s", o.WarnIf.String(), warnLine)
	case exitCode != 0:
		return OK, fmt.Sprintf("exit %d is in ok-exit", exitCode)
	}
	return OK, ""
}

// JudgeUnseen is Judge for a command whose output was not captured (it
// had the terminal): the exit-code rules apply, and a fail-if/warn-if that
// could not be checked makes an ok a warning, never ✓.
func (o Outcome) JudgeUnseen(exitCode int) (Status, string) {
	status, detail := o.Judge(exitCode, "", "")
	if status == OK && o.NeedsOutput() {
		return Warning, "output not checked against fail-if/warn-if: the command had the terminal"
	}
	return status, detail
}

// checkOutcomeAttr validates one outcome attribute's value; "" when fine.
func checkOutcomeAttr(key, val string) string {
	switch key {
	case "fail-if", "warn-if":
		if val == "" {
			return key + "= must not be empty"
		}
		if _, err := regexp.Compile(val); err != nil {
			return fmt.Sprintf("%s=%q is not a valid regular expression (Go RE2): %v", key, val, err)
		}
	case "ok-exit", "warn-exit":
		if _, err := parseExitList(val); err != nil {
			return fmt.Sprintf("%s=%q: %v", key, val, err)
		}
	}
	return ""
}

// checkOutcomeAttrs validates the attributes together (after each one
// passed checkOutcomeAttr); "" when fine.
func checkOutcomeAttrs(attrs map[string]string) string {
	ok, _ := parseExitList(attrs["ok-exit"])
	warn, _ := parseExitList(attrs["warn-exit"])
	for _, c := range ok {
		if slices.Contains(warn, c) {
			return fmt.Sprintf("exit code %d is in both ok-exit and warn-exit", c)
		}
	}
	return ""
}

// parseExitList reads "1,2" (exit codes 0-255, comma separated).
func parseExitList(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 0 || n > 255 {
			return nil, fmt.Errorf("want exit codes 0-255 separated by commas (like 1,2), got %q", strings.TrimSpace(f))
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// newOutcome builds a command's Outcome from its (validated) fence
// attributes and its script: a command whose last statement is
// `planner-tui op ...` gets warn-exit=3 unless the fence sets warn-exit or
// lists 3 in ok-exit. Only the last statement: its exit status is the
// command's, while a 3 from anything else (psql -v ON_ERROR_STOP=1 exits 3
// on an SQL error) must stay a failure.
func newOutcome(attrs map[string]string, f *syntax.File) Outcome {
	var o Outcome
	if v := attrs["fail-if"]; v != "" {
		o.FailIf, _ = regexp.Compile(v)
	}
	if v := attrs["warn-if"]; v != "" {
		o.WarnIf, _ = regexp.Compile(v)
	}
	o.OKExit, _ = parseExitList(attrs["ok-exit"])
	o.WarnExit, _ = parseExitList(attrs["warn-exit"])
	_, warnSet := attrs["warn-exit"]
	if !warnSet && !slices.Contains(o.OKExit, ExitWarning) && endsWithPlannerOp(f) {
		o.WarnExit, o.Implicit = []int{ExitWarning}, true
	}
	return o
}

// endsWithPlannerOp reports whether the script's last statement is a
// simple `planner-tui op ...` call (its exit status is the script's).
func endsWithPlannerOp(f *syntax.File) bool {
	if f == nil || len(f.Stmts) == 0 {
		return false
	}
	last := f.Stmts[len(f.Stmts)-1]
	if last.Negated || last.Background {
		return false
	}
	call, ok := last.Cmd.(*syntax.CallExpr)
	if !ok || len(call.Args) < 2 {
		return false
	}
	return path.Base(call.Args[0].Lit()) == "planner-tui" && call.Args[1].Lit() == "op"
}
