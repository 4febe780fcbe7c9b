package envfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	src := "\ufeff# planner settings\n" +
		"\n" +
		"POSTGRES_USER=planner\r\n" +
		"export POSTGRES_PASSWORD='pa ss#word'\n" +
		"  SECRET_KEY = \"line1\\nline2 \\\"q\\\" \\$HOME\"  # trailing comment\n" +
		"DEBUG=false # inline comment\n" +
		"HASH=abc#def\n" +
		"EMPTY=\n" +
		"COMMENT_ONLY= # nothing\n" +
		"MULTI=\"first\n" +
		"second\"\n" +
		"RAW='no \\n escapes'\n" +
		"REF=${POSTGRES_USER}\n" +
		"DEBUG=true\n"
	f, err := Parse(".env", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []Var{
		{"POSTGRES_USER", "planner", 3},
		{"POSTGRES_PASSWORD", "pa ss#word", 4},
		{"SECRET_KEY", "line1\nline2 \"q\" $HOME", 5},
		{"DEBUG", "false", 6},
		{"HASH", "abc#def", 7},
		{"EMPTY", "", 8},
		{"COMMENT_ONLY", "", 9},
		{"MULTI", "first\nsecond", 10},
		{"RAW", `no \n escapes`, 12},
		{"REF", "${POSTGRES_USER}", 13},
		{"DEBUG", "true", 14},
	}
	if !reflect.DeepEqual(f.Vars, want) {
		t.Errorf("Vars:\n got %+v\nwant %+v", f.Vars, want)
	}
	if got := f.Map()["DEBUG"]; got != "true" {
		t.Errorf("Map: later duplicate should win, got DEBUG=%q", got)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"A=1\nJUSTAKEY\n", "prod.env:2: JUSTAKEY has no value"},
		{"A=1\n\nB=\"open\nstill open\n", "prod.env:3: unterminated \" quote in the value of B"},
		{"1BAD=x\n", `prod.env:1: invalid variable name "1BAD"`},
		{"A B=x\n", `prod.env:1: invalid variable name "A B"`},
		{"A='x' junk\n", `prod.env:1: unexpected "junk" after the closing quote of A`},
		{"what is this\n", `prod.env:1: expected KEY=VALUE, got "what is this"`},
	}
	for _, tt := range tests {
		_, err := Parse("prod.env", []byte(tt.src))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v, want containing %q", tt.src, err, tt.want)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(filepath.Join(dir, ".env"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: err = %v, want fs.ErrNotExist", err)
	}
	p := filepath.Join(dir, ".env")
	os.WriteFile(p, []byte("A=1\n"), 0o600)
	f, err := Load(p)
	if err != nil || f.Path != p || f.Map()["A"] != "1" {
		t.Fatalf("Load = %+v, %v", f, err)
	}
}

func TestIsSecretKey(t *testing.T) {
	for key, want := range map[string]bool{
		"POSTGRES_PASSWORD": true, "db_password": true, "PASSWORD": true, "REDIS_PASS": true,
		"SECRET_KEY": true, "JWT_SECRET": true, "GITHUB_TOKEN": true, "TOKEN_TTL": true,
		"API_KEY": true, "API_KEY_ID": true, "STRIPE_KEY": true, "AWS_SECRET_ACCESS_KEY": true,
		"POSTGRES_USER": false, "DEBUG": false, "DATABASE_URL": false, "KEYCLOAK_URL": false,
		"PWD": false, "POSTGRES_PASSWORD_FILE": false, "BACKUP_DIR": false,
	} {
		if got := IsSecretKey(key); got != want {
			t.Errorf("IsSecretKey(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestSecrets(t *testing.T) {
	f, err := Parse(".env", []byte("POSTGRES_USER=planner\nPOSTGRES_PASSWORD=hunter22\nAPI_TOKEN=\n"+
		"DATABASE_URL=postgresql://planner:dsn-only-pw@db:5432/planner\nJWT_SECRET=hunter22\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"hunter22", "dsn-only-pw"}
	if got := f.Secrets(); !reflect.DeepEqual(got, want) {
		t.Errorf("Secrets = %q, want %q", got, want)
	}
}

func TestDiff(t *testing.T) {
	env, _ := Parse(".env", []byte("A=1\nB=2\nLOCAL_ONLY=3\n"))
	example, _ := Parse(".env.example", []byte("A=\nB=\nNEW_SETTING=\nC=\n"))
	want := []Difference{
		{Key: "C", InExample: true},
		{Key: "LOCAL_ONLY", InEnv: true},
		{Key: "NEW_SETTING", InExample: true},
	}
	if got := Diff(env, example); !reflect.DeepEqual(got, want) {
		t.Errorf("Diff = %+v, want %+v", got, want)
	}
	if got := Diff(env, env); len(got) != 0 {
		t.Errorf("Diff of a file with itself = %+v", got)
	}
	if got := Diff(nil, example); len(got) != 4 {
		t.Errorf("Diff(nil, example) = %+v, want all 4 example keys", got)
	}
}
