package checklist

import (
	"reflect"
	"testing"
	"time"
)

func TestDeploymentStatement(t *testing.T) {
	from := &StackState{AppVersion: "1.2.2", Commit: "aaaaaaaaaaaa"}
	to := &StackState{AppVersion: "1.2.3"}
	at := time.Date(2026, 12, 2, 6, 12, 0, 0, time.UTC)
	tests := []struct {
		name string
		d    *DeploymentRecord
		want string
	}{
		{"no record", nil, ""},
		{"before the first refresh", &DeploymentRecord{From: from}, "deploying from 1.2.2"},
		{"deployed", &DeploymentRecord{From: from, To: to}, "deployed 1.2.2 → 1.2.3"},
		{"rolled back", &DeploymentRecord{From: from, To: to, RolledBack: &Rollback{At: at, State: &StackState{AppVersion: "1.2.2"}}},
			"deployed 1.2.2 → 1.2.3, rolled back to 1.2.2 at 06:12"},
		{"no version: the tag, then the commit", &DeploymentRecord{From: &StackState{Commit: "0123456789abcdef"}, To: &StackState{Tag: "v1.2.3"}},
			"deployed 0123456 → v1.2.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.Statement(time.UTC); got != tt.want {
				t.Errorf("Statement() = %q, want %q", got, tt.want)
			}
		})
	}
}

// The record survives a save and a load, and a state file of an older
// version (no deployment, no attempts) loads with none.
func TestDeploymentRecordRoundTrip(t *testing.T) {
	s := newStore(t)
	r := sampleRun(t, s)
	r.Deployment = &DeploymentRecord{
		StartedBy: "step-1/backup",
		From: &StackState{At: t0, Commit: "abc", Tag: "v1.2.2", Branch: "main", AppVersion: "1.2.2",
			Images: map[string]ImageRef{"app": {ID: "sha256:1", Tag: "planner_app:latest"}}, Revision: "7c41",
			Backup: &BackupRef{Path: "/b/x.sql", SHA256: "ff"}, EnvHash: "ee", KeptImage: "planner_app:pre-" + r.ID},
		To: &StackState{At: t0.Add(time.Minute), AppVersion: "1.2.3", Errors: map[string]string{"revision": "db down"}},
	}
	r.KeepAttempt("c1", CommandRun{Status: Failed, JobID: "j1", Attempt: 1, ExitCode: 1})
	r.KeepAttempt("c1", CommandRun{Status: Failed, JobID: "j1", Attempt: 1, ExitCode: 1}) // once only
	r.KeepAttempt("c1", CommandRun{Status: OK, JobID: "j2", Attempt: 2})
	if err := s.Save(r); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Deployment, r.Deployment) {
		t.Errorf("deployment after load:\n%+v\nwant\n%+v", got.Deployment, r.Deployment)
	}
	if n := len(got.Attempts["c1"]); n != 2 {
		t.Errorf("attempts of c1 after load: %d, want 2 (the failed one kept)", n)
	}
	c := got.Clone()
	c.Deployment.From.Images["app"] = ImageRef{ID: "changed"}
	c.Attempts["c1"][0].Status = OK
	if got.Deployment.From.Images["app"].ID != "sha256:1" || got.Attempts["c1"][0].Status != Failed {
		t.Error("Clone shares the deployment record or the attempts with the original")
	}

	old := writeState(t, s, "20261127-000000-old", `{"version":1,"id":"20261127-000000-old","commands":{"c1":{"status":"ok","attempt":3,"job_id":"j3"}}}`)
	_ = old
	o, err := s.Load("20261127-000000-old")
	if err != nil {
		t.Fatal(err)
	}
	if o.Deployment != nil || o.Deployment.Statement(nil) != "" {
		t.Errorf("an older state file has a deployment record: %+v", o.Deployment)
	}
	if as := o.AttemptsOf("c1"); len(as) != 1 || as[0].Attempt != 3 {
		t.Errorf("AttemptsOf on an older state: %+v, want the last attempt", as)
	}
}
