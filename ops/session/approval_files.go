package session

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"planner-tui/ops/audit"
	"planner-tui/ops/fsutil"
)

// Approval files. A request lives in <state>/approvals/<id>.json, written
// (atomically) by the operator's planner-tui; a decision is
// <id>.decision-<uid>.json, written by the approver's. The approvals dir is
// sticky and world-writable (mode 1777, like /tmp): any user of the host
// may drop a file there, and only its owner may replace or remove it, so an
// approver can neither change the request nor anyone's decision. Whose a
// file is comes from its owner uid (Lstat), never from what it says: a
// decision whose owner is not the uid it names, or a request not owned by
// its operator, is not one. Nothing else of the state dir is shared: the
// state dir itself only gets the search bit for others (o+x), so the
// approvals dir can be reached but nothing listed or read.

// ApprovalsDirName is the approvals dir under the state dir.
const ApprovalsDirName = "approvals"

// approvalsDirMode: sticky and writable by everyone (see above).
const approvalsDirMode = fs.ModeSticky | 0o777

// Identity is who asked or decided: the real uid of the process and its
// user name, the host, and what tells a person behind root apart: the
// audit login uid (set at login, kept across sudo; -1 when unset) and
// SUDO_USER (an environment variable: it can only make a refusal more
// likely, never let one through).
type Identity struct {
	User     string `json:"user"`
	UID      int    `json:"uid"`
	Host     string `json:"host"`
	SudoUser string `json:"sudo_user,omitempty"`
	LoginUID int    `json:"login_uid"`
	SSHFrom  string `json:"ssh_from,omitempty"`
}

func (id Identity) String() string {
	s := id.User + "@" + id.Host
	if id.SudoUser != "" {
		s += " via sudo from " + id.SudoUser
	}
	return s
}

func (id Identity) actor() *audit.Actor {
	return &audit.Actor{User: id.User, SudoUser: id.SudoUser, SSHFrom: id.SSHFrom, Host: id.Host}
}

// CurrentIdentity is this process's identity, from its real uid.
func CurrentIdentity() Identity {
	a := audit.CurrentActor()
	id := Identity{UID: os.Getuid(), Host: a.Host, SudoUser: a.SudoUser, SSHFrom: a.SSHFrom, LoginUID: -1}
	if u, err := user.LookupId(strconv.Itoa(id.UID)); err == nil {
		id.User = u.Username
	} else {
		id.User = "uid " + strconv.Itoa(id.UID)
	}
	if b, err := os.ReadFile("/proc/self/loginuid"); err == nil {
		if n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 32); err == nil && n != 4294967295 {
			id.LoginUID = int(n)
		}
	}
	return id
}

// selfApproval says why approver cannot approve operator's request, or "":
// the same uid; or root acting for the operator (SUDO_USER or the login
// uid name them); or the operator being root for the approver.
func selfApproval(op, ap Identity) string {
	switch {
	case ap.UID == op.UID:
		return fmt.Sprintf("%s asked for it: an approval must come from another engineer (another Unix user)", ap.User)
	case ap.UID == 0 && (ap.SudoUser == op.User || ap.LoginUID == op.UID):
		return fmt.Sprintf("root here is %s (who asked for it) behind sudo or su: an approval must come from another engineer", op.User)
	case op.UID == 0 && (op.SudoUser == ap.User || op.LoginUID == ap.UID):
		return fmt.Sprintf("the request was made as root by %s, who is you: an approval must come from another engineer", ap.User)
	}
	return ""
}

// ApprovalRequest is a request file.
type ApprovalRequest struct {
	ID           string    `json:"id"`
	RunID        string    `json:"run_id"`
	RunTitle     string    `json:"run_title,omitempty"`
	CommandID    string    `json:"command_id"`
	CommandTitle string    `json:"command_title"`
	Command      string    `json:"command"` // the filled command, secrets masked
	Risk         string    `json:"risk"`
	Destroys     string    `json:"destroys,omitempty"`
	Needed       int       `json:"needed"`
	Operator     Identity  `json:"operator"`
	Note         string    `json:"note,omitempty"`
	Created      time.Time `json:"created"`
	Expires      time.Time `json:"expires"`
	// Binding is the sha256 of the run id, the command id and the filled
	// command (unmasked): an approval is for exactly this.
	Binding string `json:"binding"`
	// Written by the operator's planner-tui only: the decisions it audited
	// (by approver uid), and how the request ended (used, rejected,
	// expired) and when.
	Seen     map[string]string `json:"seen,omitempty"`
	Closed   string            `json:"closed,omitempty"`
	ClosedAt time.Time         `json:"closed_at,omitzero"`
}

// ApprovalDecision is a decision file.
type ApprovalDecision struct {
	ID       string    `json:"id"`
	Approve  bool      `json:"approve"`
	Binding  string    `json:"binding"`
	Note     string    `json:"note,omitempty"`
	Approver Identity  `json:"approver"`
	At       time.Time `json:"at"`
}

// Approval states.
const (
	ApprovalPending  = "pending"
	ApprovalApproved = "approved"
	ApprovalRejected = "rejected"
	ApprovalExpired  = "expired"
	ApprovalUsed     = "used"
)

// ApprovalStatus is a request and what became of it.
type ApprovalStatus struct {
	ApprovalRequest
	State string `json:"state"`
	// Decisions are the valid decisions, oldest first.
	Decisions []ApprovalDecision `json:"decisions,omitempty"`
	// Invalid says why decision files were not counted (a forged owner, a
	// self-approval, one for another command).
	Invalid []string `json:"invalid,omitempty"`
	// Dir is the state dir, for the approver's command line.
	Dir string `json:"-"`
	// Notes, on a status RequestApproval returns, say what became of
	// earlier requests and whether an approver can reach this one.
	Notes string `json:"-"`
}

// Rejection is the first rejecting decision, if any.
func (st *ApprovalStatus) Rejection() *ApprovalDecision {
	for i := range st.Decisions {
		if !st.Decisions[i].Approve {
			return &st.Decisions[i]
		}
	}
	return nil
}

// ApproveCommand is what another engineer types to approve it.
func (st *ApprovalStatus) ApproveCommand() string {
	return "planner-tui approve " + st.ID + " --state-dir " + st.Dir
}

func bindingOf(runID, cmdID, script string) string {
	sum := sha256.Sum256([]byte("planner-tui approval v1\x00" + runID + "\x00" + cmdID + "\x00" + script))
	return hex.EncodeToString(sum[:])
}

// approvalFiles are the approval files of one state dir.
type approvalFiles struct{ stateDir string }

func (a approvalFiles) dir() string { return filepath.Join(a.stateDir, ApprovalsDirName) }

func (a approvalFiles) requestPath(id string) string { return filepath.Join(a.dir(), id+".json") }

func (a approvalFiles) decisionPath(id string, uid int) string {
	return filepath.Join(a.dir(), id+".decision-"+strconv.Itoa(uid)+".json")
}

// validID: six of our letters; anything else is no request id (and never
// a path).
func validID(id string) bool {
	if len(id) != 6 {
		return false
	}
	for _, r := range id {
		if !strings.ContainsRune(idAlphabet, r) {
			return false
		}
	}
	return true
}

// idAlphabet has no 0/o, 1/l/i: ids are read aloud and typed.
const idAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

func newApprovalID() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b), nil
}

// ensureDir makes the approvals dir (1777) and lets other users reach it
// (o+x on the state dir). It returns a warning when a directory above the
// state dir keeps them out.
func (a approvalFiles) ensureDir() (warning string, err error) {
	if err := os.Mkdir(a.dir(), 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("approvals dir: %w", err)
	}
	fi, err := os.Lstat(a.dir())
	if err != nil {
		return "", fmt.Errorf("approvals dir: %w", err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("approvals dir %s is not a directory", a.dir())
	}
	// Whoever owns a sticky dir may remove anything in it: it must be the
	// state dir's owner's, root's or this operator's (a state dir root
	// made for group ops), not made by someone else first.
	if uid, _, err := ownerOf(a.dir()); err != nil {
		return "", fmt.Errorf("approvals dir: %w", err)
	} else if !trustedOwner(uid, a.stateDir) {
		sdUID, _, _ := ownerOf(a.stateDir)
		return "", fmt.Errorf("approvals dir %s belongs to uid %d, not to the state dir's owner (uid %d), root or you: remove it, planner-tui makes it again", a.dir(), uid, sdUID)
	}
	if fi.Mode()&(fs.ModeSticky|fs.ModePerm) != approvalsDirMode {
		if err := os.Chmod(a.dir(), approvalsDirMode); err != nil {
			return "", fmt.Errorf("approvals dir: %w", err)
		}
	}
	// The state dir: search only, for group and others. Best effort: a
	// shared state dir someone else owns is theirs to set up (the check
	// below says when nobody else can get through).
	if fi, err := os.Stat(a.stateDir); err == nil && fi.Mode().Perm()&0o011 != 0o011 {
		// keeping setgid (and sticky): a 2750 state dir that lost it
		// would make new files in its maker's group, unreadable by watchers
		_ = os.Chmod(a.stateDir, fi.Mode()&(fs.ModePerm|fs.ModeSetgid|fs.ModeSticky)|0o011)
	}
	for d := a.stateDir; ; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err == nil && fi.Mode().Perm()&0o011 == 0 {
			return fmt.Sprintf("other users cannot reach %s (%s is %#o): an approver will not find the request; use a shared --state-dir (such as /var/lib/planner-tui)", a.dir(), d, fi.Mode().Perm()), nil
		}
		if d == filepath.Dir(d) {
			return "", nil
		}
	}
}

// ownerOf is the uid owning path (not following a symlink), and whether it
// is a regular file.
func ownerOf(path string) (uid int, regular bool, err error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return 0, false, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false, fmt.Errorf("%s: no owner information", path)
	}
	return int(st.Uid), fi.Mode().IsRegular(), nil
}

// ErrNoApproval is a request id that is not in the state dir.
var ErrNoApproval = errors.New("no such approval request")

// load reads request id and checks it is its operator's file.
func (a approvalFiles) load(id string) (*ApprovalRequest, error) {
	if !validID(id) {
		return nil, fmt.Errorf("%q: %w (an id is 6 letters and digits, as printed by the operator's planner-tui)", id, ErrNoApproval)
	}
	path := a.requestPath(id)
	uid, regular, err := ownerOf(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s in %s: %w (is it the operator's state dir? give it with --state-dir)", id, a.dir(), ErrNoApproval)
	}
	if errors.Is(err, fs.ErrPermission) {
		return nil, fmt.Errorf("approval request %s: %w (the operator's state dir, and every dir above it, must let you through: o+x; a shared --state-dir such as /var/lib/planner-tui does)", id, err)
	}
	if err != nil {
		return nil, fmt.Errorf("approval request %s: %w", id, err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("approval request %s: %w", id, err)
	}
	var r ApprovalRequest
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("approval request %s: %s: %w", id, path, err)
	}
	if !regular || uid != r.Operator.UID || r.ID != id {
		return nil, fmt.Errorf("approval request %s: %s is not a request its operator wrote (owner uid %d, it names uid %d): ignored", id, path, uid, r.Operator.UID)
	}
	return &r, nil
}

// save writes a request (the operator's process only).
func (a approvalFiles) save(r *ApprovalRequest) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(a.requestPath(r.ID), append(b, '\n'), 0o644)
}

// status reads the decisions on r and says where it stands at now.
func (a approvalFiles) status(r *ApprovalRequest, now time.Time) *ApprovalStatus {
	st := &ApprovalStatus{ApprovalRequest: *r, Dir: a.stateDir}
	paths, _ := filepath.Glob(filepath.Join(a.dir(), r.ID+".decision-*.json"))
	sort.Strings(paths)
	approvers := map[int]bool{}
	for _, p := range paths {
		d, why := a.decision(r, p)
		if why != "" {
			st.Invalid = append(st.Invalid, why)
			continue
		}
		st.Decisions = append(st.Decisions, *d)
		if d.Approve {
			approvers[d.Approver.UID] = true
		}
	}
	sort.Slice(st.Decisions, func(i, j int) bool { return st.Decisions[i].At.Before(st.Decisions[j].At) })
	switch {
	case r.Closed != "":
		st.State = r.Closed
	case st.Rejection() != nil:
		st.State = ApprovalRejected
	case !now.Before(r.Expires):
		st.State = ApprovalExpired
	case len(approvers) >= max(1, r.Needed):
		st.State = ApprovalApproved
	default:
		st.State = ApprovalPending
	}
	return st
}

// decision reads and checks one decision file on r; why says what is
// wrong with it.
func (a approvalFiles) decision(r *ApprovalRequest, path string) (d *ApprovalDecision, why string) {
	name := filepath.Base(path)
	uid, regular, err := ownerOf(path)
	if err != nil {
		return nil, name + ": " + err.Error()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, name + ": " + err.Error()
	}
	d = &ApprovalDecision{}
	if err := json.Unmarshal(b, d); err != nil {
		return nil, name + ": not a decision: " + err.Error()
	}
	switch {
	case !regular || uid != d.Approver.UID || name != r.ID+".decision-"+strconv.Itoa(uid)+".json":
		return nil, fmt.Sprintf("%s: owned by uid %d but says it is %s (uid %d): forged, ignored", name, uid, d.Approver.User, d.Approver.UID)
	case d.ID != r.ID || d.Binding != r.Binding:
		return nil, name + ": decided on another command than this request's: ignored"
	case d.At.After(r.Expires):
		return nil, name + ": made after the request expired: ignored"
	}
	if self := selfApproval(r.Operator, d.Approver); self != "" {
		return nil, name + ": " + self
	}
	return d, ""
}

// ApprovalRefusedError is an approve or reject that was not recorded: a
// self-approval, an expired or closed request.
type ApprovalRefusedError struct {
	ID, Reason string
	Self       bool
}

func (e *ApprovalRefusedError) Error() string {
	return fmt.Sprintf("approval %s: refused: %s", e.ID, e.Reason)
}

// LoadApproval reads request id from stateDir with where it stands, for
// `planner-tui approve` to show before deciding.
func LoadApproval(stateDir, id string) (*ApprovalStatus, error) {
	a := approvalFiles{stateDir: stateDir}
	r, err := a.load(id)
	if err != nil {
		return nil, err
	}
	return a.status(r, time.Now()), nil
}

// PendingApprovals are the requests in stateDir that wait for a decision,
// newest first (whoever asked): what `planner-tui approve` without an id
// lists for an approver.
func PendingApprovals(stateDir string) ([]*ApprovalStatus, error) {
	a := approvalFiles{stateDir: stateDir}
	paths, err := filepath.Glob(filepath.Join(a.dir(), "*.json"))
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(a.dir()); err != nil {
		return nil, fmt.Errorf("approvals in %s: %w", stateDir, err)
	}
	now := time.Now()
	var out []*ApprovalStatus
	for _, p := range paths {
		id := strings.TrimSuffix(filepath.Base(p), ".json")
		if !validID(id) {
			continue
		}
		r, err := a.load(id)
		if err != nil {
			continue
		}
		if st := a.status(r, now); st.State == ApprovalPending {
			out = append(out, st)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// Decide records this process's user's decision on request id in stateDir:
// a decision file owned by them. It refuses a self-approval (and audits it,
// where this user may write the audit log: it is theirs when it is a
// self-approval), an expired request and one that is closed.
func Decide(stateDir, id string, approve bool, note, version string) (*ApprovalStatus, error) {
	a := approvalFiles{stateDir: stateDir}
	r, err := a.load(id)
	if err != nil {
		return nil, err
	}
	me := CurrentIdentity()
	now := time.Now().UTC()
	st := a.status(r, now)
	if self := selfApproval(r.Operator, me); self != "" {
		auditBestEffort(stateDir, version, audit.Record{Event: "approval.refused_self", RunID: r.RunID, CommandID: r.CommandID,
			ApprovalID: r.ID, Approver: me.actor(), Command: r.Command, Outcome: "refused", Message: self})
		return st, &ApprovalRefusedError{ID: id, Reason: self, Self: true}
	}
	switch st.State {
	case ApprovalExpired:
		return st, &ApprovalRefusedError{ID: id, Reason: fmt.Sprintf("it expired at %s; the operator asks again by running the command again", r.Expires.Local().Format("15:04:05"))}
	case ApprovalUsed, ApprovalRejected:
		return st, &ApprovalRefusedError{ID: id, Reason: "it is " + st.State + " already"}
	}
	if _, err := os.Lstat(a.decisionPath(id, me.UID)); err == nil {
		return st, &ApprovalRefusedError{ID: id, Reason: "you decided on it already"}
	}
	d := ApprovalDecision{ID: id, Approve: approve, Binding: r.Binding, Note: note, Approver: me, At: now}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return st, err
	}
	if err := fsutil.WriteFileAtomic(a.decisionPath(id, me.UID), append(b, '\n'), 0o644); err != nil {
		return st, fmt.Errorf("record the decision: %w", err)
	}
	return a.status(r, time.Now()), nil
}

// auditBestEffort appends rec to the state dir's audit log when it exists
// and this user may write it (the operator's own: a self-approval).
func auditBestEffort(stateDir, version string, rec audit.Record) {
	path := filepath.Join(stateDir, "audit.jsonl")
	if _, err := os.Stat(path); err != nil {
		return
	}
	l, err := audit.Open(path)
	if err != nil {
		return
	}
	defer l.Close()
	rec.Actor = audit.CurrentActor()
	rec.Version = version
	_ = l.Append(rec)
}

// trustedOwner says whether a dir of the state dir (approvals, watchers)
// owned by uid may be used: it belongs to root, to the state dir's owner,
// or to this process's user (it made it).
func trustedOwner(uid int, stateDir string) bool {
	if uid == 0 || uid == os.Getuid() {
		return true
	}
	sdUID, _, err := ownerOf(stateDir)
	return err == nil && uid == sdUID
}
