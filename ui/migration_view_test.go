package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"planner-tui/ops/session"
	"planner-tui/ops/sqllint"
)

func TestMigrationLines(t *testing.T) {
	st := NewStyles(true, true)
	fs, err := sqllint.Lint("SET lock_timeout = '2s';\nALTER TABLE resources DROP COLUMN role;")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		m    *session.MigrationRisk
		want []string
	}{
		{"no check", nil, nil},
		{"failed check", &session.MigrationRisk{Err: errors.New("database unreachable").Error()}, []string{"Migrations: not checked: database unreachable"}},
		{"a drop", &session.MigrationRisk{Checked: time.Now(), Current: "c9e8f1a2b3d4", Pending: []string{"c9e8f1a2b3d4 -> e5d4c3b2a1f0 drop resource role"}, Findings: fs},
			[]string{"(database at c9e8f1a2b3d4", "  c9e8f1a2b3d4 -> e5d4c3b2a1f0 drop resource role", "DESTRUCTIVE ban-drop-column (SQL line 2): DROP COLUMN resources.role"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ansi.Strip(strings.Join(migrationLines(st, tt.m), "\n"))
			if tt.want == nil && got != "" {
				t.Errorf("got %q, want nothing", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q lacks %q", got, w)
				}
			}
		})
	}
}
