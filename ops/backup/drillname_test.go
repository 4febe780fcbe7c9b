package backup

import (
	"strings"
	"testing"
	"time"
)

func TestDrillNameAndAge(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	name, err := drillName(now.Add(-90 * time.Minute))
	if err != nil || !strings.HasPrefix(name, DrillPrefix+"1799994600_") || len(name) != len(DrillPrefix)+10+1+8 {
		t.Fatalf("drillName = %q, %v", name, err)
	}
	tests := []struct {
		name string
		age  time.Duration
		ok   bool
	}{
		{name, 90 * time.Minute, true},
		{DrillPrefix + "1800000000_00000000", 0, true},
		{DrillPrefix + "soon_00000000", 0, false}, // no time: never dropped as stale
		{"planner_production", 0, false},
	}
	for _, tt := range tests {
		age, ok := drillAge(tt.name, now)
		if ok != tt.ok || (ok && age != tt.age) {
			t.Errorf("drillAge(%s) = %s, %v; want %s, %v", tt.name, age, ok, tt.age, tt.ok)
		}
	}
}
