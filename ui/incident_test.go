package ui

import (
	"slices"
	"strings"
	"testing"

	"planner-tui/ops/docker"
	"planner-tui/ops/host"
	"planner-tui/ops/monitor"
	"planner-tui/ops/postgres"
)

func TestIncidents(t *testing.T) {
	up := docker.Container{Service: "redis", State: "running"}
	tests := []struct {
		name string
		s    monitor.Snapshot
		want []string
	}{
		{"all well", monitor.Snapshot{DockerKnown: true, DBKnown: true, DB: postgres.Report{Reachable: true}, Containers: []docker.Container{up}}, nil},
		{"a service exited, another unhealthy, one starting", monitor.Snapshot{DockerKnown: true, DBKnown: true, DB: postgres.Report{Reachable: true}, Containers: []docker.Container{
			{Service: "app", State: "exited", ExitCode: 3},
			{Service: "db", State: "running", Health: "unhealthy"},
			{Service: "worker", State: "running", Health: "starting"},
		}}, []string{"app exited (exit 3)", "db unhealthy"}},
		{"no container", monitor.Snapshot{DockerKnown: true, Missing: []string{"app"}}, []string{"app has no container"}},
		{"database unreachable", monitor.Snapshot{DBKnown: true, DB: postgres.Report{Err: "database unreachable at 127.0.0.1:5432: dial tcp: connection refused"}},
			[]string{"database unreachable: connection refused"}},
		{"disk over its threshold", monitor.Snapshot{Warnings: []host.Warning{
			{What: "disk /var", Critical: true, Message: "/var is 96% full (1.2G free of 30G): critical at 95%"},
			{What: "disk /backups", Message: "no such file or directory"},
		}}, []string{"/var is 96% full"}},
		{"not known yet", monitor.Snapshot{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, in := range incidents(tt.s) {
				got = append(got, in.text)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("incidents = %q, want %q", got, tt.want)
			}
		})
	}
}

// With the database unreachable, the status line names it with the
// playbook for it, and e opens the playbooks with that one selected.
func TestIncidentBannerPreselectsThePlaybook(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	mon := startMonitor(t, "nothing")
	d := newDriverOpts(t, newEngine(t), 120, 40, monOpts(mon))
	v := d.waitText("▲ database unreachable")
	if !strings.Contains(v, "e: Database Connection Lost") {
		t.Fatalf("the banner names no playbook:\n%s", v)
	}
	d.keys("e")
	v = d.waitText("Emergency playbooks")
	if !strings.Contains(v, "▌Database Connection Lost") || !strings.Contains(v, "Now: database unreachable") {
		t.Fatalf("e did not select the playbook for the database:\n%s", v)
	}
	d.keys("enter")
	if t2 := d.m.proc.step(); t2 == nil || t2.Title != "Database Connection Lost" {
		t.Fatalf("enter opened %v", t2)
	}
}
