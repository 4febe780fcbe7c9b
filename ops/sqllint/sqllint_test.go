package sqllint_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"planner-tui/ops/sqllint"
)

// got renders findings as "LINE rule severity phrase" for comparison.
func got(fs []sqllint.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%d %s %s %s", f.Line, f.Rule, f.Severity, f.Phrase()))
	}
	return out
}

func TestLint(t *testing.T) {
	const lt = "SET lock_timeout = '2s';\n"
	tests := []struct {
		name string
		sql  string
		want []string
	}{
		{"drop column", lt + "ALTER TABLE programs DROP COLUMN legacy_code;",
			[]string{"2 ban-drop-column destructive drop column programs.legacy_code"}},
		{"drop column with schema", lt + "ALTER TABLE public.programs DROP COLUMN IF EXISTS legacy_code CASCADE;",
			[]string{"2 ban-drop-column destructive drop column public.programs.legacy_code"}},
		{"drop two tables", lt + "DROP TABLE a, s.b;",
			[]string{"2 ban-drop-table destructive drop table a", "2 ban-drop-table destructive drop table s.b"}},
		{"drop index is not a drop table", lt + "DROP INDEX ix_programs_status;", nil},
		{"truncate", lt + "TRUNCATE programs, projects;",
			[]string{"2 ban-truncate destructive truncate programs", "2 ban-truncate destructive truncate projects"}},
		{"delete without where", lt + "DELETE FROM users;",
			[]string{"2 delete-without-where destructive delete all rows of users"}},
		{"delete with where", lt + "DELETE FROM users WHERE id = 3;", nil},
		{"update without where", lt + "UPDATE programs SET status = 'x';",
			[]string{"2 update-without-where destructive overwrite all rows of programs"}},
		{"update with where (alembic's version bump)", "UPDATE alembic_version SET version_num='b' WHERE alembic_version.version_num = 'a';", nil},
		{"column type", lt + "ALTER TABLE programs ALTER COLUMN name TYPE text;",
			[]string{"2 changing-column-type warning change type of programs.name"}},
		{"set not null", lt + "ALTER TABLE programs ALTER COLUMN name SET NOT NULL;",
			[]string{"2 set-not-null warning set not null programs.name"}},
		{"add not null without default", lt + "ALTER TABLE programs ADD COLUMN owner text NOT NULL;",
			[]string{"2 adding-not-nullable-field warning add column programs.owner"}},
		{"add not null with constant default", lt + "ALTER TABLE programs ADD COLUMN status VARCHAR(20) DEFAULT 'active' NOT NULL;", nil},
		{"add column with volatile default", lt + "ALTER TABLE programs ADD COLUMN token uuid DEFAULT gen_random_uuid();",
			[]string{"2 adding-field-with-volatile-default warning add column programs.token"}},
		{"add column with now()", lt + "ALTER TABLE programs ADD COLUMN created timestamptz DEFAULT now();", nil},
		{"add column with cast of a volatile call", lt + "ALTER TABLE programs ADD COLUMN r int DEFAULT (random()*10)::int;",
			[]string{"2 adding-field-with-volatile-default warning add column programs.r"}},
		{"index without concurrently", lt + "CREATE INDEX ix_programs_status ON programs (status);",
			[]string{"2 require-concurrent-index-creation warning create index ix_programs_status on programs"}},
		{"index concurrently", lt + "CREATE INDEX CONCURRENTLY ix ON programs (status);", nil},
		{"rename table", lt + "ALTER TABLE programs RENAME TO portfolios;",
			[]string{"2 renaming-table warning rename table programs"}},
		{"rename column", lt + "ALTER TABLE programs RENAME COLUMN name TO title;",
			[]string{"2 renaming-column warning rename column programs.name"}},
		{"no lock_timeout: named once, at the first lock", "ALTER TABLE a ADD COLUMN b int;\nALTER TABLE c ADD COLUMN d int;",
			[]string{"1 require-lock-timeout warning lock a"}},
		{"lock_timeout set later does not count", "ALTER TABLE a ADD COLUMN b int;\nSET lock_timeout = '1s';",
			[]string{"1 require-lock-timeout warning lock a"}},
		{"a table created in the same file locks nobody", "CREATE TABLE t (id int);\nCREATE INDEX ix ON t (id);\nALTER TABLE t ALTER COLUMN id SET NOT NULL;", nil},
		{"dropping a table the file created is still a drop", "CREATE TABLE t (id int);\nDROP TABLE t;",
			[]string{"2 ban-drop-table destructive drop table t"}},
		{"line of a statement after comments and blank lines", "BEGIN;\n\n-- Running upgrade a -> b\n\n/* note */\nSET lock_timeout='2s';\nALTER TABLE programs DROP COLUMN legacy_code;\nCOMMIT;",
			[]string{"7 ban-drop-column destructive drop column programs.legacy_code"}},
		{"keywords in a comment are not statements", "-- DROP TABLE programs;\nSELECT 1;", nil},
		{"keywords in a string are not statements", "SELECT 'DROP TABLE programs';", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := sqllint.Lint(tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			if g := got(fs); strings.Join(g, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(g, "\n"), strings.Join(tt.want, "\n"))
			}
			wantDestructive := strings.Contains(strings.Join(tt.want, "\n"), " destructive ")
			if sqllint.AnyDestructive(fs) != wantDestructive {
				t.Errorf("Destructive = %v, want %v", !wantDestructive, wantDestructive)
			}
		})
	}
}

// The SQL alembic renders for the sandbox's release 1.2.3 (upgrade
// 7c41e0b2d9a4:head --sql): a safe column, an index that blocks writes.
func TestLintAlembicOutput(t *testing.T) {
	sql := `BEGIN;

-- Running upgrade 7c41e0b2d9a4 -> c9e8f1a2b3d4

ALTER TABLE programs ADD COLUMN status VARCHAR(20) DEFAULT 'active' NOT NULL;

CREATE INDEX ix_programs_status ON programs (status);

UPDATE alembic_version SET version_num='c9e8f1a2b3d4' WHERE alembic_version.version_num = '7c41e0b2d9a4';

COMMIT;
`
	fs, err := sqllint.Lint(sql)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"5 require-lock-timeout warning lock programs",
		"7 require-concurrent-index-creation warning create index ix_programs_status on programs",
	}
	if g := got(fs); strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(g, "\n"), strings.Join(want, "\n"))
	}
	if sqllint.AnyDestructive(fs) {
		t.Error("release 1.2.3's migration is not destructive")
	}
}

func TestPhrases(t *testing.T) {
	fs, err := sqllint.Lint("ALTER TABLE programs DROP COLUMN a, DROP COLUMN b;\nDROP TABLE old;\nALTER TABLE programs DROP COLUMN a;")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(sqllint.Phrases(fs), "; ")
	if want := "drop column programs.a; drop column programs.b; drop table old"; got != want {
		t.Errorf("Phrases = %q, want %q", got, want)
	}
}

func TestParseErrorNamesTheLine(t *testing.T) {
	_, err := sqllint.Lint("SELECT 1;\nALTER TABLE programs DROPP COLUMN x;\n")
	var pe *sqllint.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *ParseError", err)
	}
	if pe.Line != 2 || !strings.Contains(pe.Message, "syntax error") {
		t.Errorf("ParseError = %+v, want line 2 and a syntax error", pe)
	}
}
