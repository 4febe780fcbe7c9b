package doctor

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"planner-tui/ops/compose"
	"planner-tui/ops/envfile"
	"planner-tui/ops/lock"
)

func TestVersion(t *testing.T) {
	tests := []struct {
		have, want string
		status     Status
	}{
		{"v0.5.0", "", OK},
		{"v0.5.0", ">= 0.5", OK},
		{"v0.5.2-3-gabc1234-dirty", ">= 0.5", OK},
		{"0.4.9", ">= 0.5", Failed},
		{"v1.0.0", ">= 0.5, < 1", Failed},
		{"v0.9.1", ">= 0.5, < 1", OK},
		{"v0.5.0", "0.5", OK},
		{"v0.5.0", "= 0.5.1", Failed},
		{"dev", ">= 0.5", Warning},
		{"v0.5.0", ">= five", Warning},
	}
	for _, tt := range tests {
		c := Version(tt.have, tt.want)
		if c.Status != tt.status || c.Status != OK && c.Fix == "" {
			t.Errorf("Version(%q, %q) = %+v, want %s with a fix", tt.have, tt.want, c, tt.status)
		}
	}
}

func TestTerminalAndColours(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	colours := []struct {
		env  func(string) string
		want string
	}{
		{env("TERM", "xterm-256color", "NO_COLOR", "1"), "no colours (NO_COLOR"},
		{env("TERM", "dumb"), "no colours (TERM="},
		{env("TERM", "xterm", "COLORTERM", "truecolor"), "true colour"},
		{env("TERM", "screen-256color"), "256 colours"},
		{env("TERM", "linux"), "16 colours"},
	}
	for _, tt := range colours {
		if got := Colours(tt.env); !strings.HasPrefix(got, tt.want) {
			t.Errorf("Colours = %q, want %q...", got, tt.want)
		}
	}
	terms := []struct {
		in     TermInfo
		status Status
		detail string
	}{
		{TermInfo{}, Warning, "not a terminal"},
		{TermInfo{IsTerminal: true, Width: 80, Height: 24, Colours: "256 colours"}, OK, "80×24, 256 colours"},
		{TermInfo{IsTerminal: true, Width: 79, Height: 40}, Warning, "smaller than the 80×24"},
	}
	for _, tt := range terms {
		if c := Terminal(tt.in); c.Status != tt.status || !strings.Contains(c.Detail, tt.detail) {
			t.Errorf("Terminal(%+v) = %+v", tt.in, c)
		}
	}
}

func TestEditor(t *testing.T) {
	onPath := func(names ...string) func(string) (string, error) {
		return func(n string) (string, error) {
			for _, m := range names {
				if m == n {
					return "/usr/bin/" + n, nil
				}
			}
			return "", errors.New("not found")
		}
	}
	getenv := func(k, v string) func(string) string {
		return func(n string) string {
			if n == k {
				return v
			}
			return ""
		}
	}
	tests := []struct {
		name   string
		env    func(string) string
		path   func(string) (string, error)
		status Status
		detail string
	}{
		{"EDITOR with flags", getenv("EDITOR", "vim -u NONE"), onPath("vim"), OK, "$EDITOR=vim -u NONE"},
		{"VISUAL first", getenv("VISUAL", "nano"), onPath("nano", "vim"), OK, "$VISUAL=nano"},
		{"EDITOR missing", getenv("EDITOR", "emacs"), onPath("nano"), Warning, "$EDITOR=emacs is not on PATH"},
		{"nano", getenv("", ""), onPath("nano", "vi"), OK, "nano (/usr/bin/nano)"},
		{"vi only", getenv("", ""), onPath("vi"), OK, "vi (/usr/bin/vi)"},
		{"none", getenv("", ""), onPath(), Warning, "no $VISUAL"},
	}
	for _, tt := range tests {
		if c := Editor(tt.env, tt.path); c.Status != tt.status || !strings.HasPrefix(c.Detail, tt.detail) {
			t.Errorf("%s: %+v", tt.name, c)
		}
	}
}

func TestEnvFileAndSecrets(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	const pw, key = "pw-Very-S3cret", "key-0123456789abcdef"
	src := "# settings\nPOSTGRES_PASSWORD=" + pw + "\nnot an assignment\nSECRET_KEY=" + key + "\nACCESS_TOKEN_EXPIRE_MINUTES=30\n"
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	c, f := EnvFile(path)
	if c.Status != Failed || !strings.Contains(c.Detail, path+":3:") || f == nil {
		t.Errorf("EnvFile = %+v, want failed naming %s:3", c, path)
	}
	s := Secrets(map[string]string{"API_TOKEN": "tok-abcdefgh", "DB_USER": "planner"}, f)
	if s.Status != OK || !strings.HasPrefix(s.Detail, "3 secret value(s) will be masked") || !strings.Contains(s.Detail, "ACCESS_TOKEN_EXPIRE_MINUTES") {
		t.Errorf("Secrets = %+v", s)
	}
	for _, v := range []string{pw, key, "tok-abcdefgh"} {
		if strings.Contains(s.Detail+s.Fix+c.Detail+c.Fix, v) {
			t.Errorf("a secret value is in the checks' text")
		}
	}
	if s := Secrets(nil, &envfile.File{Vars: []envfile.Var{{Key: "REDIS_PASSWORD", Value: "abc"}}}); s.Status != Warning {
		t.Errorf("a 3-letter password: %+v, want a warning", s)
	}
	if s := Secrets(nil, nil); s.Status != Warning {
		t.Errorf("no secrets: %+v, want a warning", s)
	}
	if c, f := EnvFile(filepath.Join(dir, "missing")); c.Status != Warning || f != nil {
		t.Errorf("missing .env: %+v", c)
	}
}

func TestBackupDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	small := DBSize{Bytes: 1 << 20, Known: true}
	tests := []struct {
		name   string
		dir    string
		db     DBSize
		status Status
		detail string
	}{
		{"fine", dir, small, OK, "writable"},
		{"unset", "", small, Failed, "BACKUP_DIR is not set"},
		{"missing", filepath.Join(dir, "nope"), small, Failed, "does not exist"},
		{"under a file", filepath.Join(file, "backups"), small, Failed, "not a directory"},
		{"a file", file, small, Failed, "not a directory"},
		{"database bigger than the disk", dir, DBSize{Bytes: 1 << 60, Known: true}, Failed, "will not fit"},
		{"database size unknown", dir, DBSize{}, Warning, "size is unknown"},
	}
	for _, tt := range tests {
		if c := BackupDir(tt.dir, tt.db); c.Status != tt.status || !strings.Contains(c.Detail, tt.detail) {
			t.Errorf("%s: %+v", tt.name, c)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("the write probe left %v behind", ents)
	}
}

func TestStateDirNamesTheLockHolder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lock")
	if c := StateDir(dir, path); c.Status != OK || !strings.Contains(c.Detail, "lock free") {
		t.Errorf("free: %+v", c)
	}
	l, err := lock.Acquire(path, lock.Holder{User: "alice", Host: "prod1", Purpose: "running deploy"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if c := StateDir(dir, path); c.Status != Warning || !strings.Contains(c.Detail, "alice@prod1") || !strings.Contains(c.Detail, "running deploy") {
		t.Errorf("held: %+v", c)
	}
	if c := StateDir(filepath.Join(path, "x"), path); c.Status != Failed {
		t.Errorf("state dir under a file: %+v", c)
	}
}

func TestCompose(t *testing.T) {
	v1 := &compose.Flavour{Kind: compose.Standalone, Version: "1.29.2"}
	plugin := &compose.Flavour{Kind: compose.Plugin, Version: "2.29.1"}
	found := func(p, s *compose.Flavour) compose.Found {
		f := compose.Found{Plugin: p, Standalone: s}
		if p == nil {
			f.PluginErr = "not installed"
		}
		if s == nil {
			f.StandaloneErr = "docker-compose not on PATH"
		}
		return f
	}
	tests := []struct {
		found  compose.Found
		need   bool
		mode   string
		status Status
	}{
		{found(nil, v1), true, "", OK},
		{found(plugin, nil), false, "", OK},
		{found(plugin, nil), true, "", Warning}, // the shim runs them
		{found(plugin, v1), true, "plugin", Warning},
		{found(nil, v1), true, "plugin", Failed},
		{found(plugin, nil), true, "standalone", Failed},
		{found(plugin, v1), true, "v3", Failed},
		{found(nil, nil), false, "", Failed},
	}
	for _, tt := range tests {
		if c := Compose(tt.found, tt.need, tt.mode); c.Status != tt.status {
			t.Errorf("Compose(%v, %v, %q) = %+v", tt.found, tt.need, tt.mode, c)
		}
	}
	c := Compose(found(nil, v1), true, "")
	if want := "docker-compose 1.29.2 (v1); docker compose: not installed"; c.Detail != want {
		t.Errorf("detail %q, want %q", c.Detail, want)
	}
}

// A check that does not answer fails at its timeout, and the others'
// results still come back in order.
func TestRunTimesOut(t *testing.T) {
	hung := make(chan struct{})
	defer close(hung)
	start := time.Now()
	cs := Run(context.Background(), 200*time.Millisecond,
		Func{Name: "quick", Run: func(context.Context) Check { return ok("", "fine") }},
		Func{Name: "hung", Run: func(context.Context) Check { <-hung; return ok("hung", "late") }},
	)
	if time.Since(start) > 5*time.Second {
		t.Errorf("Run took %s", time.Since(start))
	}
	if cs[0].Name != "quick" || cs[0].Status != OK || cs[1].Name != "hung" || cs[1].Status != Failed || !strings.Contains(cs[1].Detail, "no answer within 200ms") {
		t.Errorf("Run = %+v", cs)
	}
	if !AnyFailed(cs) || AnyFailed(cs[:1]) {
		t.Error("AnyFailed")
	}
}
