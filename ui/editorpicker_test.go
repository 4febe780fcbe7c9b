package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"planner-tui/ops/envfile"
)

func TestFindEditor(t *testing.T) {
	env := func(vals map[string]string) func(string) string {
		return func(k string) string { return vals[k] }
	}
	tests := []struct {
		name, script string
		chosen       string
		env          map[string]string
		wantExpr     string
		wantFiles    []string
		wantEff      string
		wantFilled   string
	}{
		{"literal nano", "nano .env", "", nil, "nano", []string{".env"}, "nano", "nano .env"},
		{"literal nano, chosen vim", "nano .env", "vim", nil, "nano", []string{".env"}, "vim", "vim .env"},
		{"EDITOR default, unset", "${EDITOR:-nano} .env", "", nil, "${EDITOR:-nano}", []string{".env"}, "nano", "nano .env"},
		{"EDITOR default, set", "${EDITOR:-nano} .env", "", map[string]string{"EDITOR": "micro"}, "${EDITOR:-nano}", []string{".env"}, "micro", "micro .env"},
		{"EDITOR default, chosen", "${EDITOR:-nano} .env", "vi", map[string]string{"EDITOR": "code --wait"}, "${EDITOR:-nano}", []string{".env"}, "vi", "vi .env"},
		{"bare $EDITOR unset", `"$EDITOR" config/.env.production`, "", nil, `"$EDITOR"`, []string{"config/.env.production"}, "", `"$EDITOR" config/.env.production`},
		{"options are not files", "vim -n +3 .env", "", nil, "vim", []string{"+3", ".env"}, "vim", "vim -n +3 .env"},
		{"no editor", "cp .env .env.bak", "vim", nil, "", nil, "", "cp .env .env.bak"},
		{"under sudo", "sudo nano /etc/planner/.env", "vim", nil, "nano", []string{"/etc/planner/.env"}, "vim", "sudo vim /etc/planner/.env"},
		{"editor on a later line", "cd /srv/planner\nnano .env", "", nil, "nano", []string{".env"}, "nano", "cd /srv/planner\nnano .env"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := findEditor(tt.script)
			if u.expr != tt.wantExpr || !slices.Equal(u.files, tt.wantFiles) {
				t.Fatalf("findEditor(%q) = %+v, want expr %q files %q", tt.script, u, tt.wantExpr, tt.wantFiles)
			}
			eff := u.effective(tt.chosen, env(tt.env))
			if eff != tt.wantEff {
				t.Errorf("effective = %q, want %q", eff, tt.wantEff)
			}
			if got := u.filled(tt.script, eff); got != tt.wantFilled {
				t.Errorf("filled = %q, want %q", got, tt.wantFilled)
			}
		})
	}
}

func TestEditorCandidates(t *testing.T) {
	onPath := func(names ...string) func(string) (string, error) {
		return func(p string) (string, error) {
			if slices.Contains(names, p) {
				return "/usr/bin/" + p, nil
			}
			return "", errors.New("not found")
		}
	}
	tests := []struct {
		name string
		env  map[string]string
		path []string
		want []string
	}{
		{"nothing", nil, nil, nil},
		{"order VISUAL EDITOR nano vim vi", map[string]string{"VISUAL": "emacs", "EDITOR": "micro"}, []string{"vi", "vim", "nano", "micro", "emacs"}, []string{"emacs", "micro", "nano", "vim", "vi"}},
		{"only those on PATH", map[string]string{"EDITOR": "nano"}, []string{"vi"}, []string{"vi"}},
		{"an editor with flags, once", map[string]string{"VISUAL": "code --wait", "EDITOR": "vim"}, []string{"code", "vim"}, []string{"code --wait", "vim"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := editorCandidates(func(k string) string { return tt.env[k] }, onPath(tt.path...))
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEnvKeyChangesMasked(t *testing.T) {
	parse := func(s string) *envfile.File { return envfile.Parse(".env", []byte(s)) }
	tests := []struct {
		name          string
		before, after string
		want          []string
		hidden        []string
	}{
		{
			name:   "added removed changed",
			before: "SECRET_KEY=old-secret-value\nLOG_LEVEL=info\nOLD_FLAG=1\nDATABASE_URL=postgres://app:dbpass1234@db/x\n",
			after:  "SECRET_KEY=new-secret-value\nLOG_LEVEL=debug\nAPI_TOKEN=tok-123456789\nDATABASE_URL=postgres://app:dbpass5678@db/x\n",
			want: []string{
				".env: 1 added, 1 removed, 3 changed (secret values shown as ***)",
				"  + API_TOKEN=***",
				"  - OLD_FLAG",
				"  ~ DATABASE_URL: postgres://app:***@db/x → postgres://app:***@db/x",
				"  ~ LOG_LEVEL: info → debug",
				"  ~ SECRET_KEY changed (secret: *** → ***)",
			},
			hidden: []string{"old-secret-value", "new-secret-value", "tok-123456789", "dbpass1234", "dbpass5678"},
		},
		{
			name:   "nothing changed",
			before: "A=1\n",
			after:  "# a comment\nA=1\n",
			want:   []string{".env: no key added, removed or changed"},
		},
		{
			name:   "a file made by the edit",
			after:  "POSTGRES_PASSWORD=pw-abcdef\n",
			want:   []string{".env: 1 added, 0 removed, 0 changed (secret values shown as ***)", "  + POSTGRES_PASSWORD=***"},
			hidden: []string{"pw-abcdef"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before *envfile.File
			if tt.before != "" {
				before = parse(tt.before)
			}
			got := envKeyChanges(".env", before, parse(tt.after), nil)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for _, h := range tt.hidden {
				if strings.Contains(strings.Join(got, "\n"), h) {
					t.Errorf("%q shown", h)
				}
			}
		})
	}
}
