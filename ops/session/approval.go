package session

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
)

// Approvals (the approvals part): a command the runbook says needs an
// approval (checklist.ApprovalsFor) is refused at admission until another
// Unix user has approved the request for exactly that filled command in
// this run (approval_files.go holds the files and the identity rules).
// admit calls approvalGate before the phrase is checked (the phrase is
// typed after the approval, as always), and useApproval once every guard
// passed and the operator lock is held: an approval runs one command once.
//
// The approver's planner-tui cannot write the operator's audit log (it is
// the operator's, 0600): the operator's planner-tui writes approval.granted
// and approval.rejected, with the approver's identity, when it first sees
// the decision (the screen within a second, a headless run at its next
// try), and approval.requested, approval.expired and approval.used as they
// happen.

// approvalMemo keeps the last status of each request this session saw, by
// binding, so that Plan (no I/O) can say a command is approved.
type approvalMemo struct {
	mu sync.Mutex
	by map[string]*ApprovalStatus
	// observing serializes observe in this process (the screen's poll
	// and a start), so that a decision is audited once.
	observing sync.Mutex
}

func (m *approvalMemo) put(st *ApprovalStatus) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.by == nil {
		m.by = map[string]*ApprovalStatus{}
	}
	m.by[st.Binding] = st
}

func (m *approvalMemo) get(binding string) *ApprovalStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.by[binding]
}

// applyApprovals sets how many approvals p needs and the last known status
// of its request (from the memo: no I/O).
func (s *planner) applyApprovals(p *Plan, runID string) {
	p.Approvals = s.runbook.ApprovalsFor(p.Command, p.Risk)
	if p.Approvals == 0 || s.approvals == nil {
		return
	}
	if st := s.approvals.get(bindingOf(runID, p.Command.ID, p.Script)); st != nil {
		if st.State == ApprovalApproved && !time.Now().Before(st.Expires) {
			c := *st
			c.State = ApprovalExpired
			st = &c
		}
		p.Approval = st
	}
}

// Approved says whether the plan needs no approval, or has one that was
// good when last looked at (admission checks again).
func (p *Plan) Approved() bool {
	return p.Approvals == 0 || p.Approval != nil && p.Approval.State == ApprovalApproved
}

// AwaitingApprovalError refuses a command that waits for an approval.
type AwaitingApprovalError struct {
	CommandID string
	Status    *ApprovalStatus
	// Before says what happened to an earlier request (expired, for
	// another command), or "".
	Before string
}

func (e *AwaitingApprovalError) Error() string {
	s := fmt.Sprintf("refused to run %s: awaiting approval %s — ask another engineer to run: %s", e.CommandID, e.Status.ID, e.Status.ApproveCommand())
	if e.Before != "" {
		s = e.Before + "; " + s
	}
	return s
}

// RequestApproval finds the open request for p (this run, this filled
// command), or makes one with the operator's note; it audits what it
// finds decided. The screen calls it in a Cmd.
func (s *Session) RequestApproval(p *Plan, note string) (*ApprovalStatus, error) {
	if err := s.writable("ask for an approval"); err != nil {
		return nil, err
	}
	st, before, err := s.findOrRequest(p, note)
	if st != nil && before != "" {
		c := *st
		c.Notes = before
		st = &c
	}
	return st, err
}

// ApprovalStatus reads request id (this operator's) again and audits a
// decision seen for the first time; the screen polls it in a Cmd.
func (s *Session) ApprovalStatus(id string) (*ApprovalStatus, error) {
	a := s.approvalFiles()
	r, err := a.load(id)
	if err != nil {
		return nil, err
	}
	return s.observe(r), nil
}

// Approvals are the requests of the current run, newest first (for
// status).
func (s *Session) Approvals() ([]*ApprovalStatus, error) {
	reqs, err := s.requestsOf(s.Run().ID, "", true)
	if err != nil {
		return nil, err
	}
	out := make([]*ApprovalStatus, 0, len(reqs))
	for _, r := range reqs {
		out = append(out, s.approvalFiles().status(r, time.Now()))
	}
	return out, nil
}

func (s *Session) approvalFiles() approvalFiles { return approvalFiles{stateDir: s.store.Dir} }

// requestsOf are this operator's requests of run (of command cmdID, when
// given), newest first; closed ones only when withClosed.
func (s *Session) requestsOf(runID, cmdID string, withClosed bool) ([]*ApprovalRequest, error) {
	a := s.approvalFiles()
	paths, err := filepath.Glob(filepath.Join(a.dir(), "*.json"))
	if err != nil {
		return nil, err
	}
	me := os.Getuid()
	var out []*ApprovalRequest
	for _, p := range paths {
		id := strings.TrimSuffix(filepath.Base(p), ".json")
		if !validID(id) {
			continue // a decision, a temp file
		}
		r, err := a.load(id)
		if err != nil || r.Operator.UID != me || r.RunID != runID || (cmdID != "" && r.CommandID != cmdID) || (r.Closed != "" && !withClosed) {
			continue
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// observe is the status of r now; the operator's session audits the
// decisions it sees for the first time and closes a request that was
// rejected or expired (a rejection is reported once: the next try asks
// anew).
func (s *Session) observe(r *ApprovalRequest) *ApprovalStatus {
	s.planner.approvals.observing.Lock()
	defer s.planner.approvals.observing.Unlock()
	a := s.approvalFiles()
	if fresh, err := a.load(r.ID); err == nil {
		r = fresh // what another observe saw and saved
	}
	st := a.status(r, time.Now())
	if s.opts.ReadOnly || r.Operator.UID != os.Getuid() {
		s.planner.approvals.put(st)
		return st
	}
	changed := false
	for _, d := range st.Decisions {
		key := strconv.Itoa(d.Approver.UID)
		if r.Seen[key] != "" {
			continue
		}
		ev, word := "approval.granted", "approved"
		if !d.Approve {
			ev, word = "approval.rejected", "rejected"
		}
		msg := fmt.Sprintf("%s by %s at %s", word, d.Approver, d.At.Format(time.RFC3339))
		if d.Note != "" {
			msg += ": " + d.Note
		}
		s.record(audit.Record{Event: ev, RunID: r.RunID, CommandID: r.CommandID, ApprovalID: r.ID,
			Approver: d.Approver.actor(), Command: r.Command, Outcome: word, Message: s.secrets.Mask(msg)})
		if r.Seen == nil {
			r.Seen = map[string]string{}
		}
		r.Seen[key] = word
		changed = true
	}
	if st.State == ApprovalRejected || st.State == ApprovalExpired {
		if st.State == ApprovalExpired {
			s.record(audit.Record{Event: "approval.expired", RunID: r.RunID, CommandID: r.CommandID, ApprovalID: r.ID,
				Command: r.Command, Outcome: "expired", Message: "expired at " + r.Expires.Format(time.RFC3339)})
		}
		r.Closed, r.ClosedAt = st.State, time.Now().UTC()
		changed = true
	}
	if changed {
		if err := a.save(r); err != nil {
			s.rec.noteErr(fmt.Errorf("approval %s: %w", r.ID, err))
		}
	}
	s.planner.approvals.put(st)
	return st
}

// findOrRequest is the open request for p, or a new one. before says what
// became of earlier ones (expired; approved for another filled command).
func (s *Session) findOrRequest(p *Plan, note string) (st *ApprovalStatus, before string, err error) {
	run := s.Run()
	binding := bindingOf(run.ID, p.Command.ID, p.Script)
	reqs, err := s.requestsOf(run.ID, p.Command.ID, false)
	if err != nil {
		return nil, "", err
	}
	var notes []string
	for _, r := range reqs {
		st := s.observe(r)
		if r.Binding != binding {
			if st.State == ApprovalApproved {
				notes = append(notes, fmt.Sprintf("approval %s was for another command (%s), not this one", r.ID, r.Command))
			}
			continue
		}
		switch st.State {
		case ApprovalApproved, ApprovalPending, ApprovalRejected:
			return st, "", nil
		case ApprovalExpired:
			notes = append(notes, fmt.Sprintf("approval request %s expired at %s", r.ID, r.Expires.Local().Format("15:04:05")))
		}
	}
	a := s.approvalFiles()
	warning, err := a.ensureDir()
	if err != nil {
		return nil, "", err
	}
	id, err := newApprovalID()
	for tries := 0; err == nil && tries < 5; tries++ {
		if _, serr := os.Lstat(a.requestPath(id)); serr != nil {
			break
		}
		id, err = newApprovalID()
	}
	if err != nil {
		return nil, "", fmt.Errorf("approval request id: %w", err)
	}
	now := time.Now().UTC()
	r := &ApprovalRequest{
		ID: id, RunID: run.ID, RunTitle: run.Title, CommandID: p.Command.ID, CommandTitle: p.Command.Title,
		Command: p.Display, Risk: p.Risk.String(), Destroys: p.Destroys, Needed: p.Approvals,
		Operator: CurrentIdentity(), Note: s.secrets.Mask(note), Created: now, Expires: now.Add(s.runbook.Approvals.Expiry()),
		Binding: binding,
	}
	if err := a.save(r); err != nil {
		return nil, "", fmt.Errorf("approval request: %w", err)
	}
	msg := fmt.Sprintf("awaiting approval %s (%d needed, expires %s)", id, r.Needed, r.Expires.Format(time.RFC3339))
	if r.Note != "" {
		msg += "; operator's note: " + r.Note
	}
	s.record(audit.Record{Event: "approval.requested", RunID: run.ID, CommandID: p.Command.ID, ApprovalID: id,
		Command: p.Display, Outcome: "awaiting_approval", Message: msg})
	st = a.status(r, time.Now())
	s.planner.approvals.put(st)
	if warning != "" {
		notes = append(notes, warning)
	}
	return st, strings.Join(notes, "; "), nil
}

// approvalGate is admission's check: nil when p needs no approval or has
// a good one (returned, for useApproval); an *AwaitingApprovalError while
// it waits (a request made or found); a *RefusedError when it was
// rejected. Plans that the other guards refuse anyway (missing or reused
// parameters, blocked) make no request.
func (s *Session) approvalGate(shown, p *Plan) (*ApprovalStatus, error) {
	if p.Approvals == 0 || len(p.Missing) > 0 || p.Blocked != "" || p.reusedRefusal() != "" {
		return nil, nil
	}
	st, before, err := s.findOrRequest(p, shown.ApprovalNote)
	if err != nil {
		return nil, err
	}
	switch st.State {
	case ApprovalApproved:
		return st, nil
	case ApprovalRejected:
		d := st.Rejection()
		reason := fmt.Sprintf("approval %s was rejected by %s", st.ID, d.Approver)
		if d.Note != "" {
			reason += ": " + d.Note
		}
		reason += " (running it again asks for a new approval)"
		s.record(audit.Record{Event: "refuse", RunID: st.RunID, CommandID: p.Command.ID, ApprovalID: st.ID, Command: p.Display, Outcome: "refused", Message: s.secrets.Mask(reason)})
		return nil, &RefusedError{CommandID: p.Command.ID, Reason: reason}
	}
	e := &AwaitingApprovalError{CommandID: p.Command.ID, Status: st, Before: before}
	s.record(audit.Record{Event: "refuse", RunID: st.RunID, CommandID: p.Command.ID, ApprovalID: st.ID, Command: p.Display, Outcome: "awaiting_approval", Message: s.secrets.Mask(e.Error())})
	return nil, e
}

// useApproval consumes the approval admission found (nil: none needed):
// read again under the operator lock, still approved, marked used. mu is
// held.
func (s *Session) useApproval(st *ApprovalStatus) error {
	if st == nil {
		return nil
	}
	a := s.approvalFiles()
	r, err := a.load(st.ID)
	if err != nil {
		return err
	}
	now := a.status(r, time.Now())
	if now.State != ApprovalApproved || r.Binding != st.Binding {
		reason := fmt.Sprintf("approval %s is %s now (it was approved a moment ago): run it again", st.ID, now.State)
		s.record(audit.Record{Event: "refuse", RunID: r.RunID, CommandID: r.CommandID, ApprovalID: r.ID, Command: r.Command, Outcome: "refused", Message: reason})
		return &RefusedError{CommandID: r.CommandID, Reason: reason}
	}
	r.Closed, r.ClosedAt = ApprovalUsed, time.Now().UTC()
	if err := a.save(r); err != nil {
		return fmt.Errorf("approval %s: mark it used: %w", r.ID, err)
	}
	var by []string
	var approver *audit.Actor
	for _, d := range now.Decisions {
		if d.Approve {
			by = append(by, d.Approver.String())
			if approver == nil {
				approver = d.Approver.actor()
			}
		}
	}
	s.record(audit.Record{Event: "approval.used", RunID: r.RunID, CommandID: r.CommandID, ApprovalID: r.ID,
		Approver: approver, Command: r.Command, Outcome: "used", Message: "approved by " + strings.Join(by, ", ")})
	now.State = ApprovalUsed
	s.planner.approvals.put(now)
	return nil
}

// MarshalJSON keeps ApprovalStatus flat (the request's fields and state).
func (st *ApprovalStatus) MarshalJSON() ([]byte, error) {
	type flat struct {
		ApprovalRequest
		State     string             `json:"state"`
		Decisions []ApprovalDecision `json:"decisions,omitempty"`
		Invalid   []string           `json:"invalid,omitempty"`
	}
	return json.Marshal(flat{st.ApprovalRequest, st.State, st.Decisions, st.Invalid})
}

// applyApprovalSets applies --set approvals.KEY=VALUE to the runbook's
// policy; it returns the other sets (variables).
func applyApprovalSets(rb *checklist.Runbook, sets map[string]string) (map[string]string, error) {
	vars := make(map[string]string, len(sets))
	for k, v := range sets {
		if key, ok := strings.CutPrefix(k, "approvals."); ok {
			if err := rb.Approvals.SetApproval(key, v); err != nil {
				return nil, err
			}
			continue
		}
		vars[k] = v
	}
	return vars, nil
}
