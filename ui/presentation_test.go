package ui

import (
	"errors"
	"testing"
	"time"

	"planner-tui/checklist"
)

func TestDoneFlash(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		cr   checklist.CommandRun
		err  error
		want string
		tone tone
	}{
		{"ok with its duration", checklist.CommandRun{Status: checklist.OK, Started: at, Ended: at.Add(1500 * time.Millisecond)}, nil, "✓ Say hello: ok (exit 0) in 1.5s", toneOK},
		{"ok, no times", checklist.CommandRun{Status: checklist.OK}, nil, "✓ Say hello: ok (exit 0)", toneOK},
		{"warning says why", checklist.CommandRun{Status: checklist.Warning, ExitCode: 0, Detail: "output matched slow"}, nil, "⚠ Say hello: warning, exit 0: output matched slow", toneWarn},
		{"failed", checklist.CommandRun{Status: checklist.Failed, ExitCode: 3, Started: at, Ended: at.Add(90 * time.Second)}, nil, "✗ Say hello: failed, exit 3 in 1:30", toneError},
		{"the outcome unknown", checklist.CommandRun{Status: checklist.Running}, errors.New("wait: broken pipe"), "Say hello: wait: broken pipe", toneError},
		{"another status is a warning, never ok", checklist.CommandRun{Status: checklist.Skipped}, nil, "Say hello: skipped", toneWarn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, tn := doneFlash("Say hello", tt.cr, tt.err)
			if got != tt.want || tn != tt.tone {
				t.Errorf("doneFlash = %q, %d; want %q, %d", got, tn, tt.want, tt.tone)
			}
		})
	}
}

func TestWhoRuns(t *testing.T) {
	tests := []struct{ operator, host, want string }{
		{"alice", "vm", "alice@vm"},
		{"alice@laptop", "vm", "alice@laptop"},
		{"alice", "", "alice"},
		{"", "vm", "vm"},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := whoRuns(tt.operator, tt.host); got != tt.want {
			t.Errorf("whoRuns(%q, %q) = %q, want %q", tt.operator, tt.host, got, tt.want)
		}
	}
}

func TestFmtDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "0.0s"},
		{0, "0.0s"},
		{1500 * time.Millisecond, "1.5s"},
		{59*time.Second + 940*time.Millisecond, "59.9s"},
		{time.Minute, "1:00"},
		{90*time.Second + 600*time.Millisecond, "1:31"},
		{time.Hour + 2*time.Minute + 3*time.Second, "1:02:03"},
	}
	for _, tt := range tests {
		if got := fmtDuration(tt.d); got != tt.want {
			t.Errorf("fmtDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestStatusBarFormatting(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct{ name, got, want string }{
		{"cpu under 10%", fmtCPU(3.14), "3.1%"},
		{"cpu from 10%", fmtCPU(42.6), "43%"},
		{"never", ago(now, time.Time{}), "never"},
		{"just now", ago(now, now.Add(-time.Second)), "just now"},
		{"seconds", ago(now, now.Add(-12*time.Second)), "12s ago"},
		{"minutes", ago(now, now.Add(-5*time.Minute)), "5m ago"},
		{"hours", ago(now, now.Add(-3*time.Hour)), "3h ago"},
		{"postgres version", shortVersion("15.18 (Debian 15.18-1.pgdg120+1)"), "15.18"},
		{"bare version", shortVersion("16.4"), "16.4"},
		{"database unreachable", dbProblem("database unreachable: dial tcp 127.0.0.1:5432: connect: connection refused", false), "database unreachable: dial tcp 127.0.0.1:5432: connect: connection refused"},
		{"database unreachable, short", dbProblem("database unreachable: dial tcp 127.0.0.1:5432: connect: connection refused", true), "database unreachable: connection refused"},
		{"docker, short", dockerProblem("docker unreachable: Cannot connect: permission denied", true), "docker unreachable: permission denied"},
		{"docker, named", dockerProblem("list containers: timeout", false), "docker: list containers: timeout"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}
