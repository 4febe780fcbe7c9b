package checklist

import (
	"testing"
	"time"
)

const timelineRunbook = "# T\n\n## Standard Deployment Procedure\n\n### Step 6\n\n" +
	"```bash\n# Stop\ndocker-compose -f a.yml down\n\n# Start\ndocker-compose -f a.yml up -d\n\n" +
	"# Wait db\nplanner-tui op wait-healthy --service db\n\n# Wait\nplanner-tui op wait-healthy --timeout 120s\n```\n"

// The story is in time order, keeps every attempt, and finds the outage
// from `down` to the health wait of the whole stack (a wait for the db
// alone does not end it).
func TestTimeline(t *testing.T) {
	rb, problems, err := Parse("t.md", []byte(timelineRunbook))
	if err != nil || len(rb.Commands()) != 4 {
		t.Fatalf("parse: %v %v", err, problems)
	}
	ids := make([]string, 4)
	for i, c := range rb.Commands() {
		ids[i] = c.ID
	}
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	run := &Run{}
	run.initMaps()
	end := func(id string, n int, st Status, from, to int) {
		cr := CommandRun{Status: st, JobID: id + string(rune('0'+n)), Attempt: n, Started: at(from), Ended: at(to), ExitCode: map[bool]int{true: 0, false: 1}[st == OK]}
		run.KeepAttempt(id, cr)
		*run.Command(id) = cr
	}
	end(ids[0], 1, Failed, 10, 11) // down failed: no outage yet
	end(ids[0], 2, OK, 20, 25)
	end(ids[1], 1, OK, 30, 35)
	end(ids[2], 1, OK, 36, 40)
	end(ids[3], 1, OK, 41, 50)
	run.Notes["x"] = nil
	run.Deployment = &DeploymentRecord{From: &StackState{At: at(5), AppVersion: "1.2.2"}, To: &StackState{At: at(51), AppVersion: "1.2.3"}}

	outs := Outages(rb, run)
	if len(outs) != 1 || !outs[0].From.Equal(at(20)) || !outs[0].To.Equal(at(50)) || outs[0].Duration(time.Time{}) != 30*time.Second {
		t.Fatalf("outages: %+v, want 20s..50s", outs)
	}
	ev := Timeline(rb, run)
	var kinds []EventKind
	for i, e := range ev {
		kinds = append(kinds, e.Kind)
		if i > 0 && e.At.Before(ev[i-1].At) {
			t.Errorf("event %d (%s at %v) before the one above it", i, e.Kind, e.At)
		}
	}
	want := []EventKind{EventFrom, EventAttempt, EventOutageFrom, EventAttempt, EventAttempt, EventAttempt, EventAttempt, EventOutageTo, EventTo}
	if len(kinds) != len(want) {
		t.Fatalf("kinds %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("kinds %v, want %v", kinds, want)
		}
	}
	if ev[1].Status != Failed || ev[1].Attempt != 1 || ev[3].Attempt != 2 || ev[3].Duration() != 5*time.Second {
		t.Errorf("attempts of down: %+v / %+v", ev[1], ev[3])
	}
}
