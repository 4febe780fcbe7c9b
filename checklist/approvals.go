package checklist

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Approvals: a runbook may require that another engineer approves a
// command before it runs (ops/session/approval.go does the asking). The
// front matter sets the policy for every destructive command:
//
//	approvals: {destructive: 1, expires: 15m}
//
// (`approvals: 1` is short for {destructive: 1}), a fence attribute
// approvals=N requires it of one command whatever its risk, and --set
// approvals.destructive=N / approvals.expires=D override the front matter.

// DefaultApprovalExpiry is how long a request for approval (and the
// approval given) stays good when the runbook does not say.
const DefaultApprovalExpiry = 15 * time.Minute

// ApprovalPolicy is what the runbook says about approvals.
type ApprovalPolicy struct {
	// Destructive is how many approvals every destructive command needs
	// (0: none).
	Destructive int
	// Expires is how long a request stays good; 0 means the default.
	Expires time.Duration
}

// Expiry is how long a request for approval stays good.
func (p ApprovalPolicy) Expiry() time.Duration {
	if p.Expires <= 0 {
		return DefaultApprovalExpiry
	}
	return p.Expires
}

// ApprovalsFor is how many approvals cmd needs when it runs with risk
// (judged on the filled command): its approvals= attribute, or the
// policy's for a destructive one, whichever is more.
func (rb *Runbook) ApprovalsFor(cmd *Command, risk Risk) int {
	n := 0
	if risk == Destructive {
		n = rb.Approvals.Destructive
	}
	if v, err := strconv.Atoi(cmd.Attrs["approvals"]); err == nil && v > n {
		n = v
	}
	return n
}

// SetApproval applies one --set approvals.KEY=VALUE: destructive (a count)
// or expires (a duration).
func (p *ApprovalPolicy) SetApproval(key, value string) error {
	switch key {
	case "destructive":
		n, err := approvalCount(value)
		if err != nil {
			return fmt.Errorf("--set approvals.destructive=%s: %w", value, err)
		}
		p.Destructive = n
	case "expires":
		d, err := time.ParseDuration(value)
		if err != nil || d <= 0 {
			return fmt.Errorf("--set approvals.expires=%s: want a positive duration (like 15m or 90s)", value)
		}
		p.Expires = d
	default:
		return fmt.Errorf("--set approvals.%s: unknown setting (known: approvals.destructive, approvals.expires)", key)
	}
	return nil
}

// approvalCount parses a number of approvals: 0 to 5 (more would be a
// typo: there are rarely five other engineers on call).
func approvalCount(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > 5 {
		return 0, fmt.Errorf("want a number of approvals from 0 to 5, got %q", s)
	}
	return n, nil
}

// checkApprovalsAttr says what is wrong with a fence's approvals=N, or "".
func checkApprovalsAttr(val string) string {
	if _, err := approvalCount(val); err != nil {
		return "approvals=" + strconv.Quote(val) + ": " + err.Error()
	}
	return ""
}

// approvals reads the front matter's approvals: a count (for destructive
// commands) or a mapping {destructive: N, expires: D}.
func (fm *frontMatter) approvals(v *yaml.Node, at func(*yaml.Node) int) []Problem {
	bad := func(n *yaml.Node, format string, a ...any) []Problem {
		return []Problem{{Line: at(n), Severity: Error, Message: "front matter: approvals: " + fmt.Sprintf(format, a...)}}
	}
	if v.Kind == yaml.ScalarNode {
		n, err := approvalCount(v.Value)
		if err != nil {
			return bad(v, "%v (or a mapping {destructive: 1, expires: 15m})", err)
		}
		fm.Approvals.Destructive = n
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return bad(v, "want a number or a mapping {destructive: 1, expires: 15m}")
	}
	var probs []Problem
	for j := 0; j+1 < len(v.Content); j += 2 {
		k, val := v.Content[j], v.Content[j+1]
		if val.Kind != yaml.ScalarNode {
			probs = append(probs, bad(val, "%s must be a single value", k.Value)...)
			continue
		}
		switch k.Value {
		case "destructive":
			n, err := approvalCount(val.Value)
			if err != nil {
				probs = append(probs, bad(val, "destructive: %v", err)...)
				continue
			}
			fm.Approvals.Destructive = n
		case "expires":
			d, err := time.ParseDuration(val.Value)
			if err != nil || d <= 0 {
				probs = append(probs, bad(val, "expires: want a positive duration (like 15m), got %q", val.Value)...)
				continue
			}
			fm.Approvals.Expires = d
		default:
			probs = append(probs, bad(k, "unknown key %q (known: destructive, expires)", k.Value)...)
		}
	}
	return probs
}
