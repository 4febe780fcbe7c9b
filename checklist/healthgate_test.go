package checklist

import (
	"strings"
	"testing"
	"time"
)

func TestParseHealthGate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"90s", 90 * time.Second, ""},
		{"2m", 2 * time.Minute, ""},
		{"45", 45 * time.Second, ""},
		{"0", 0, ""},
		{"off", 0, ""},
		{"OFF", 0, ""},
		{"soon", 0, "want a duration"},
		{"-5s", 0, "negative"},
		{"2h", 0, "more than an hour"},
	}
	for _, tc := range tests {
		got, err := ParseHealthGate(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseHealthGate(%q): %v, want an error with %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseHealthGate(%q) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}

// The env var wins over the front matter, which wins over the default; a
// bad front matter value is a lint error with its line.
func TestHealthGateWindow(t *testing.T) {
	rb, probs := parseString(t, "---\nhealth-gate: 90s\n---\n# T\n\n## S\n\nText.\n")
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	for env, want := range map[string]time.Duration{"": 90 * time.Second, "off": 0, "5s": 5 * time.Second} {
		if got, err := rb.HealthGateWindow(env); err != nil || got != want {
			t.Errorf("HealthGateWindow(env %q) = %s, %v; want %s", env, got, err, want)
		}
	}
	if _, err := rb.HealthGateWindow("soon"); err == nil || !strings.Contains(err.Error(), EnvHealthGate) {
		t.Errorf("a bad env value: %v, want an error naming %s", err, EnvHealthGate)
	}
	plain, _ := parseString(t, "# T\n\n## S\n\nText.\n")
	if got, _ := plain.HealthGateWindow(""); got != DefaultHealthGate {
		t.Errorf("default window %s, want %s", got, DefaultHealthGate)
	}
	_, probs = parseString(t, "---\ntitle: x\nhealth-gate: soon\n---\n# T\n\n## S\n\nText.\n")
	if len(probs) != 1 || probs[0].Line != 3 || !strings.Contains(probs[0].Message, `health gate window "soon"`) {
		t.Errorf("bad health-gate: problems %v, want one on line 3", probs)
	}
}

func TestStartsApp(t *testing.T) {
	tgt := Target{Dir: "/srv/planner", Project: "planner", AppService: "app"}
	tests := []struct {
		script string
		want   bool
	}{
		{"docker-compose -f docker-compose.yml -f docker-compose.prod.yml up -d", true},
		{"docker compose up -d --build", true},
		{"docker compose up -d app", true},
		{"docker-compose up -d db && planner-tui op wait-healthy --service db", false},
		{"docker-compose down", false},
		{"docker-compose exec -T app docker compose up -d", false},
		{"docker compose ps", false},
	}
	for _, tc := range tests {
		if got := Classify(tc.script, tgt).StartsApp; got != tc.want {
			t.Errorf("StartsApp(%q) = %v, want %v", tc.script, got, tc.want)
		}
	}
}

func TestHealthGateLine(t *testing.T) {
	start := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	g := &HealthGate{Result: GateRunning, Started: start, At: start}
	g.SetWindow(time.Minute)
	if got := g.Line(start.Add(23 * time.Second)); got != "health gate: watching (0:23 of 1:00)" {
		t.Errorf("running: %q", got)
	}
	if got := g.Line(start.Add(5 * time.Minute)); !strings.HasPrefix(got, "health gate: unknown: planner-tui stopped watching") {
		t.Errorf("a running gate long past its window: %q", got)
	}
	f := *g
	f.Result, f.Reason = GateFailed, "app: /health 503"
	if got := f.Line(start); got != "health gate failed: app: /health 503" {
		t.Errorf("failed: %q", got)
	}
}

func parseString(t *testing.T, src string) (*Runbook, []Problem) {
	t.Helper()
	rb, probs, err := Parse("test.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var errs []Problem
	for _, p := range probs {
		if p.Severity == Error {
			errs = append(errs, p)
		}
	}
	return rb, errs
}
