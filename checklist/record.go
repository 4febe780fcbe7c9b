package checklist

import (
	"fmt"
	"maps"
	"slices"
	"time"
)

// DeploymentRecord is what a run that deploys knows it deployed: what ran
// before its first change to the stack (From), what runs after its
// deployment commands (To), and, when the Rollback Procedure ran after
// it, what runs after the rollback. It lives in the run's state.json
// (absent in runs that never changed the stack, and in state files of
// older versions).
type DeploymentRecord struct {
	// StartedBy is the command whose start recorded From.
	StartedBy string      `json:"started_by,omitempty"`
	From      *StackState `json:"from,omitempty"`
	To        *StackState `json:"to,omitempty"`
	// RolledBack is set once a command of the Rollback Procedure ended ok
	// after the deployment.
	RolledBack *Rollback `json:"rolled_back,omitempty"`
	// Gate is the latest health gate after a compose up (healthgate.go).
	Gate *HealthGate `json:"gate,omitempty"`
}

// Rollback is a rollback done after the deployment: when its last
// successful command ended, and what runs after it.
type Rollback struct {
	At    time.Time   `json:"at"`
	By    string      `json:"by,omitempty"` // the last command of the rollback that ended ok
	State *StackState `json:"state,omitempty"`
}

// StackState is what runs on the stack at one moment. Errors name the
// parts that could not be read: an empty field with no error is really
// empty (no tag on the commit, no alembic_version table).
type StackState struct {
	At         time.Time           `json:"at"`
	Commit     string              `json:"commit,omitempty"`
	Tag        string              `json:"tag,omitempty"`
	Branch     string              `json:"branch,omitempty"`
	AppVersion string              `json:"app_version,omitempty"`
	Images     map[string]ImageRef `json:"images,omitempty"` // by compose service
	Revision   string              `json:"revision,omitempty"`
	Backup     *BackupRef          `json:"backup,omitempty"`
	EnvHash    string              `json:"env_sha256,omitempty"` // sha256 of .env: never its values
	KeptImage  string              `json:"kept_image,omitempty"` // the app image kept as <repo>:pre-<run id>
	Errors     map[string]string   `json:"errors,omitempty"`     // part -> why it could not be read
}

// ImageRef is the image a service's container runs.
type ImageRef struct {
	ID  string `json:"id"`
	Tag string `json:"tag,omitempty"`
}

// BackupRef is the verified backup a deployment can be restored from.
type BackupRef struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Label is how the state is named in one word: the app's version, else
// the git tag, else the short commit; "?" when none is known.
func (s *StackState) Label() string {
	switch {
	case s == nil:
		return "?"
	case s.AppVersion != "":
		return s.AppVersion
	case s.Tag != "":
		return s.Tag
	case len(s.Commit) >= 7:
		return s.Commit[:7]
	case s.Commit != "":
		return s.Commit
	}
	return "?"
}

// Clone is a deep copy.
func (s *StackState) Clone() *StackState {
	if s == nil {
		return nil
	}
	c := *s
	c.Images = maps.Clone(s.Images)
	c.Errors = maps.Clone(s.Errors)
	if s.Backup != nil {
		b := *s.Backup
		c.Backup = &b
	}
	return &c
}

// Clone is a deep copy.
func (d *DeploymentRecord) Clone() *DeploymentRecord {
	if d == nil {
		return nil
	}
	c := *d
	c.From, c.To = d.From.Clone(), d.To.Clone()
	if d.RolledBack != nil {
		rb := *d.RolledBack
		rb.State = d.RolledBack.State.Clone()
		c.RolledBack = &rb
	}
	if d.Gate != nil {
		g := *d.Gate
		c.Gate = &g
	}
	return &c
}

// Statement is the run's deployment in one line, as the header, the
// status and the report say it: "deployed 1.2.2 → 1.2.3", "deployed 1.2.2
// → 1.2.3, rolled back to 1.2.2 at 06:12" (local time), or "deploying
// from 1.2.2" while nothing after it is known. "" without a record.
func (d *DeploymentRecord) Statement(loc *time.Location) string {
	if d == nil || d.From == nil {
		return ""
	}
	if loc == nil {
		loc = time.Local
	}
	s := "deploying from " + d.From.Label()
	if d.To != nil {
		s = "deployed " + d.From.Label() + " → " + d.To.Label()
	}
	if rb := d.RolledBack; rb != nil {
		to := "?"
		if rb.State != nil {
			to = rb.State.Label()
		}
		s += fmt.Sprintf(", rolled back to %s at %s", to, rb.At.In(loc).Format("15:04"))
	}
	return s
}

// Services are the services of the state's images, sorted.
func (s *StackState) Services() []string {
	if s == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(s.Images))
}

// KeepAttempt adds an ended attempt of a command to the run's history,
// once (an attempt is known by its job id and number).
func (r *Run) KeepAttempt(id string, cr CommandRun) {
	for _, a := range r.Attempts[id] {
		if a.JobID == cr.JobID && a.Attempt == cr.Attempt {
			return
		}
	}
	if r.Attempts == nil {
		r.Attempts = map[string][]CommandRun{}
	}
	cr.EndAudit = ""
	cr.Params = cloneStrings(cr.Params)
	r.Attempts[id] = append(r.Attempts[id], cr)
}

// AttemptsOf is every attempt of a command, oldest first: the ended ones
// kept, and the latest (running, or of an older state file) if not among
// them.
func (r *Run) AttemptsOf(id string) []CommandRun {
	out := slices.Clone(r.Attempts[id])
	if cr := r.Commands[id]; cr != nil && cr.Status != Pending {
		for _, a := range out {
			if a.JobID == cr.JobID && a.Attempt == cr.Attempt {
				return out
			}
		}
		out = append(out, *cr)
	}
	return out
}

// SetError names a part of the state that could not be read.
func (s *StackState) SetError(part string, err error) {
	if s.Errors == nil {
		s.Errors = map[string]string{}
	}
	s.Errors[part] = err.Error()
}
