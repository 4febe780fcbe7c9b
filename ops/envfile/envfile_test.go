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
	f := Parse(".env", []byte(src))
	if len(f.Problems) > 0 {
		t.Fatalf("problems in a valid file: %v", f.Problems)
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

// Bad lines are reported with their line numbers and do not stop the
// parse: every other line is kept.
func TestParseProblems(t *testing.T) {
	tests := []struct {
		src      string
		want     []string // problems
		keys     []string // the keys still parsed
		notShown string   // never quoted in a problem
	}{
		{"A=1\nJUSTAKEY\nB=2\n", []string{"prod.env:2: JUSTAKEY has no value"}, []string{"A", "B"}, ""},
		{"A=1\n\nB=\"open\nC=3\n", []string{"prod.env:3: unterminated \" quote in the value of B"}, []string{"A", "C"}, ""},
		{"1BAD=x\nA=1\n", []string{`prod.env:1: invalid variable name "1BAD"`}, []string{"A"}, ""},
		{"A B=x\n", []string{`prod.env:1: invalid variable name "A B"`}, nil, ""},
		{"A='x' junk-pw\nB=2\n", []string{"prod.env:1: unexpected text after the closing quote of A"}, []string{"B"}, "junk-pw"},
		{"what is this secret\nA=1\n", []string{`prod.env:1: expected KEY=VALUE, got a line without "=" (19 characters, not shown)`}, []string{"A"}, "secret"},
		{"garbage\nA=\"x\nB='y\nC=3\n", []string{
			"prod.env:1: expected KEY=VALUE, got a line without \"=\" (7 characters, not shown)",
			"prod.env:2: unterminated \" quote in the value of A",
			"prod.env:3: unterminated ' quote in the value of B",
		}, []string{"C"}, ""},
	}
	for _, tt := range tests {
		f := Parse("prod.env", []byte(tt.src))
		var got []string
		for _, p := range f.Problems {
			got = append(got, p.String())
		}
		if len(got) != len(tt.want) {
			t.Errorf("Parse(%q) problems = %q, want %q", tt.src, got, tt.want)
			continue
		}
		for i := range got {
			if !strings.HasPrefix(got[i], tt.want[i]) {
				t.Errorf("Parse(%q) problem %d = %q, want %q", tt.src, i, got[i], tt.want[i])
			}
			if tt.notShown != "" && strings.Contains(got[i], tt.notShown) {
				t.Errorf("Parse(%q) problem %q quotes %q, which may be a secret", tt.src, got[i], tt.notShown)
			}
		}
		var keys []string
		for _, v := range f.Vars {
			keys = append(keys, v.Key)
		}
		if !reflect.DeepEqual(keys, tt.keys) {
			t.Errorf("Parse(%q) keys = %q, want %q", tt.src, keys, tt.keys)
		}
	}
}

// A bad line does not turn masking off: the secrets of the other lines
// are there, and so is the secret on the bad line when it can be guessed.
func TestSecretsDespiteBadLines(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".env")
	src := "POSTGRES_USER=planner\n" +
		"POSTGRES_PASSWORD=pg-pass-1\n" +
		"this line is garbage\n" +
		"REDIS_PASSWORD=\"redis-pass-2\n" + // unterminated
		"SECRET_KEY=sk-3333\n" +
		"API_TOKEN='tok-4444' trailing\n" +
		"DB_PASSWORD: colon-pass-5\n" +
		"PRIVATE_KEY=\"-----BEGIN KEY-----\n" +
		"MIIEkeymaterial666\n"
	if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Problems) != 6 {
		t.Errorf("problems = %v, want 6", f.Problems)
	}
	if f.Problems[0].Line != 3 || f.Problems[0].Path != p {
		t.Errorf("first problem = %+v, want %s line 3", f.Problems[0], p)
	}
	secrets := strings.Join(f.Secrets(), "\n")
	for _, want := range []string{"pg-pass-1", "redis-pass-2", "sk-3333", "tok-4444", "colon-pass-5", "MIIEkeymaterial666"} {
		if !strings.Contains(secrets, want) {
			t.Errorf("Secrets() lacks %q: %q", want, f.Secrets())
		}
	}
	if f.Map()["SECRET_KEY"] != "sk-3333" || f.Map()["POSTGRES_USER"] != "planner" {
		t.Errorf("lines after the bad ones were not parsed: %v", f.Map())
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
		// the names issue 8 gives for variables a step assigns
		"NEW_KEY": true, "TOKEN": true, "ADMIN_PASSWORD": true, "token": true,
		"POSTGRES_USER": false, "DEBUG": false, "DATABASE_URL": false, "KEYCLOAK_URL": false,
		"PWD": false, "POSTGRES_PASSWORD_FILE": false, "BACKUP_DIR": false,
	} {
		if got := IsSecretKey(key); got != want {
			t.Errorf("IsSecretKey(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestSecrets(t *testing.T) {
	f := Parse(".env", []byte("POSTGRES_USER=planner\nPOSTGRES_PASSWORD=hunter22\nAPI_TOKEN=\n"+
		"DATABASE_URL=postgresql://planner:dsn-only-pw@db:5432/planner\nJWT_SECRET=hunter22\n"))
	want := []string{"hunter22", "dsn-only-pw"}
	if got := f.Secrets(); !reflect.DeepEqual(got, want) {
		t.Errorf("Secrets = %q, want %q", got, want)
	}
}

func TestDiff(t *testing.T) {
	env := Parse(".env", []byte("A=1\nB=2\nLOCAL_ONLY=3\n"))
	example := Parse(".env.example", []byte("A=\nB=\nNEW_SETTING=\nC=\n"))
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
