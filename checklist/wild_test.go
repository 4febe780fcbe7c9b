package checklist

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Runbooks not written for planner-tui: any heading structure, Runme's
// attributes and front matter, prompts, other shells. Each file of
// testdata/wild lints without errors, and its commands come out with the
// ids, titles, shells and directories the document gives them.
func TestWildRunbooks(t *testing.T) {
	type cmd struct{ id, title, shell, dir, script string }
	tests := []struct {
		file     string
		title    string
		sections []string // id|title|line
		cmds     []cmd
		warnings []string // substrings, one per lint warning, in order
	}{
		{
			file: "title-only.md", title: "Rotate the nginx logs",
			sections: []string{"rotate-the-nginx-logs|Rotate the nginx logs|1"},
			cmds: []cmd{
				{"rotate-the-nginx-logs/see-how-full-the-volume-is", "See how full the volume is", "bash", "", "df -h /var/log/nginx"},
				{"rotate-the-nginx-logs/rotate/rotate-now", "Rotate now", "bash", "", "logrotate -f /etc/logrotate.d/nginx"},
			},
		},
		{
			file: "no-heading.md", title: "no-heading",
			sections: []string{"no-heading|no-heading|1"},
			cmds: []cmd{
				{"no-heading/show-the-release", "Show the release", "bash", "", "cat VERSION"},
				{"no-heading/uname-a", "uname -a", "sh", "", "uname -a"},
			},
		},
		{
			file: "before-first-section.md", title: "Deploy",
			sections: []string{"deploy|Deploy|1", "ship|Ship|10"},
			cmds: []cmd{
				{"deploy/check-the-branch", "Check the branch", "bash", "", "git status --short"},
				{"ship/push", "Push", "bash", "", "git push"},
			},
		},
		{
			file: "runme-attrs.md", title: "Local dev environment",
			sections: []string{"local-dev-environment|Local dev environment|9"},
			cmds: []cmd{
				{"local-dev-environment/where-am-i", "where-am-i", "sh", "sub", "pwd\necho \"in $(basename \"$PWD\")\""},
				{"local-dev-environment/serve-docs", "serve_docs", "bash", "", "python3 -m http.server 8099"},
				{"local-dev-environment/edit-config", "edit-config", "bash", "", "export EDITOR_TARGET=config.yml"},
				{"local-dev-environment/say-hi", "say-hi", "bash", "", "echo hi"},
				{"local-dev-environment/up", "up", "bash", "/tmp", "# Bring it all up\npwd\npwd"},
				{"local-dev-environment/reset-volumes", "reset-volumes", "bash", "", "docker compose down -v"},
			},
			warnings: []string{
				"11: warning: Runme attributes: id 01JB7Q2M9X4ZC8K3T5V6W7Y8AC ignored: it is Runme's cell identity",
				`13: warning: command "where-am-i": the script ends with "echo"`,
				"16: warning: Runme attributes: terminalRows ignored: output shows in planner-tui's own pane; excludeFromRunAll ignored: planner-tui has no run-all: every command runs when it is started; background=true: the step keeps running",
				"20: warning: Runme attributes: promptEnv ignored: planner-tui does not prompt for exported variables",
				`30: warning: command "up": the exit status of "pwd" is lost`,
				"34: warning: Runme attributes: unknown attribute skipPrompts ignored",
			},
		},
		{
			file: "prompts.md", title: "Check the service",
			sections: []string{"check-the-service|Check the service|1"},
			cmds: []cmd{
				{"check-the-service/systemctl-is-active-nginx", "systemctl is-active nginx", "bash", "",
					"systemctl is-active nginx\ncurl -fsS http://127.0.0.1:8080/health \\\n  -H 'Accept: application/json'"},
				{"check-the-service/echo-hello", `echo "Hello"`, "sh", "", `echo "Hello"`},
			},
			warnings: []string{
				`3: warning: commands written with a prompt: "$ " is removed from 2 line(s); the 2 line(s) without it are output and do not run`,
				`4: warning: command "systemctl is-active nginx": the exit status of "systemctl is-active nginx" is lost`,
				`11: warning: commands written with a prompt: "$ " is removed from 1 line(s); the 1 line(s) without it are output and do not run`,
			},
		},
		{
			file: "shells.md", title: "Shells",
			sections: []string{"shells|Shells|1"},
			cmds: []cmd{
				{"shells/print-r-zsh-says-u-user", `print -r -- "zsh says ${(U)USER}"`, "zsh", "", `print -r -- "zsh says ${(U)USER}"`},
				{"shells/print-ksh-says-hi", `print "ksh says hi"`, "ksh", "", `print "ksh says hi"`},
				{"shells/echo-0", `echo "$0"`, "sh", "", `echo "$0"`},
				{"shells/echo-bash-version", `echo "$BASH_VERSION"`, "bash", "", `echo "$BASH_VERSION"`},
				{"shells/echo-generic", "echo generic", "bash", "", "echo generic"},
			},
		},
		{
			file: "frontmatter-cwd.md", title: "Build in the app dir",
			sections: []string{"build|Build|7"},
			cmds: []cmd{
				{"build/pwd", "pwd", "sh", "app", "pwd"},
				{"build/pwd-2", "pwd", "bash", "other", "pwd"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "wild", tt.file)
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			probs := Lint(path, src)
			var warnings []string
			for _, p := range probs {
				if p.Severity == Error {
					t.Errorf("lint error: %s", p)
				}
				warnings = append(warnings, strings.TrimPrefix(p.String(), path+":"))
			}
			if len(warnings) != len(tt.warnings) {
				t.Errorf("warnings\n got %q\nwant %q", warnings, tt.warnings)
			} else {
				for i, w := range tt.warnings {
					if !strings.HasPrefix(warnings[i], w) {
						t.Errorf("warning %d\n got %q\nwant %q...", i, warnings[i], w)
					}
				}
			}
			rb, _, err := Parse(path, src)
			if err != nil {
				t.Fatal(err)
			}
			if rb.Title != tt.title {
				t.Errorf("title %q, want %q", rb.Title, tt.title)
			}
			var secs []string
			for _, s := range rb.Sections {
				secs = append(secs, s.ID+"|"+s.Title+"|"+strconv.Itoa(s.Line))
			}
			if !slices.Equal(secs, tt.sections) {
				t.Errorf("sections\n got %q\nwant %q", secs, tt.sections)
			}
			var got []cmd
			for _, c := range rb.Commands() {
				got = append(got, cmd{c.ID, c.Title, c.Shell, c.Dir, c.Script})
			}
			if !slices.Equal(got, tt.cmds) {
				t.Errorf("commands\n got %q\nwant %q", got, tt.cmds)
			}
			// Every command is found by the last part of its id, as
			// `planner-tui run FILE ID` finds it.
			for _, c := range rb.Commands() {
				short := c.ID[strings.LastIndexByte(c.ID, '/')+1:]
				if found, err := rb.Command(short); err == nil && found != c {
					t.Errorf("Command(%q) = %s, want %s", short, found.ID, c.ID)
				}
			}
		})
	}
}

// What the Runme attributes mean besides ids and dirs: interactive=true is
// a terminal hand-off, background=true a step that keeps running; risk and
// phrases apply as to any command.
func TestRunmeMeanings(t *testing.T) {
	rb, _, err := Load("testdata/wild/runme-attrs.md")
	if err != nil {
		t.Fatal(err)
	}
	get := func(id string) *Command {
		c, err := rb.Command(id)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := get("serve-docs"); !c.Background || c.Interactive {
		t.Errorf("serve-docs: background %v interactive %v", c.Background, c.Interactive)
	}
	if c := get("edit-config"); !c.Interactive || c.Background || !slices.Equal(c.Sets, []string{"EDITOR_TARGET"}) {
		t.Errorf("edit-config: interactive %v background %v sets %v", c.Interactive, c.Background, c.Sets)
	}
	if rb, _, err := Parse("p.md", []byte("# T\n\n```bash\n# Say it\n$ echo hi\nhi\n```\n")); err != nil || rb.Commands()[0].Title != "Say it" || rb.Commands()[0].Script != "echo hi" {
		t.Errorf("prompt block with a comment: %v %+v", err, rb.Commands()[0])
	}
	if c := get("say-hi"); c.Interactive {
		t.Error("say-hi: interactive=false made it interactive")
	}
	if c := get("reset-volumes"); c.Risk != Destructive || c.Confirm == "" {
		t.Errorf("a Runme runbook's destructive command needs its phrase: risk %s confirm %q", c.Risk, c.Confirm)
	}
	// A command another shell runs sets nothing later commands see.
	if c := get("where-am-i"); c.Sets != nil {
		t.Errorf("sh command sets %v", c.Sets)
	}
	if rb.Shell != "bash" || rb.Meta["runme.id"] != "01JB7Q2M9X4ZC8K3T5V6W7Y8AB" || rb.Meta["runme.version"] != "v3" || rb.Meta["skipPrompts"] != "true" {
		t.Errorf("front matter: shell %q meta %v", rb.Shell, rb.Meta)
	}
}

// CommandDir resolves a command's directory against the runbook file (as
// Runme does), or the project dir for the embedded runbook.
func TestCommandDir(t *testing.T) {
	rb := &Runbook{Path: "/srv/books/deploy.md"}
	for _, tt := range []struct{ dir, want string }{
		{"", "/srv/app"},
		{"sub", "/srv/books/sub"},
		{"../", "/srv"},
		{"/tmp", "/tmp"},
	} {
		if got := rb.CommandDir(&Command{Dir: tt.dir}, "/srv/app"); got != tt.want {
			t.Errorf("CommandDir(%q) = %q, want %q", tt.dir, got, tt.want)
		}
	}
	emb := &Runbook{Path: "embedded:docs/runbook.md"}
	if got := emb.CommandDir(&Command{Dir: "sub"}, "/srv/app"); got != "/srv/app/sub" {
		t.Errorf("embedded: %q", got)
	}
}

func TestWildAttributesAndFrontMatter(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // problems, without the path
	}{
		{"JSON values of every kind", "# T\n\n```bash {\"name\":\"n\",\"terminalRows\":20,\"interactive\":false,\"background\":null}\nls\n```\n",
			[]string{`3: warning: Runme attributes: terminalRows ignored: output shows in planner-tui's own pane; background="" ignored: want true or false`}},
		{"bad JSON is an error", "# T\n\n```bash {\"name\":\"n\",}\nls\n```\n",
			[]string{"3: fence attributes written as JSON: invalid character '}' looking for beginning of object key string"}},
		{"nested JSON value", "# T\n\n```bash {\"name\":{\"a\":1}}\nls\n```\n",
			[]string{"3: fence attributes written as JSON: name: want a string, number or true/false"}},
		{"our attributes in JSON", "# T\n\n```bash {\"timeout\":\"5s\",\"id\":\"mine\",\"risk\":\"destructive\"}\nls\n```\n", nil},
		{"unknown JSON attribute", "# T\n\n```bash {\"colour\":\"red\"}\nls\n```\n",
			[]string{"3: warning: Runme attributes: unknown attribute colour ignored"}},
		{"a ULID id in key=value", "# T\n\n```bash {id=01JB7Q2M9X4ZC8K3T5V6W7Y8AC}\nls\n```\n",
			[]string{"3: warning: Runme attributes: id 01JB7Q2M9X4ZC8K3T5V6W7Y8AC ignored: it is Runme's cell identity; the id here comes from name= or the title"}},
		{"our bad id in key=value stays an error", "# T\n\n```bash {id=Bad}\nls\n```\n",
			[]string{`3: id="Bad": use lowercase letters, digits and single dashes (like "bad")`}},
		{"interpreter that is not a shell", "# T\n\n```bash {\"interpreter\":\"python3\"}\nprint(1)\n```\n\n```bash\nls\n```\n",
			[]string{`3: warning: interpreter="python3": planner-tui runs only bash, sh, zsh, ksh: this block is not a command`}},
		{"unknown front matter key", "---\nowner: ops\ncategory: x\nshell: fish\n---\n# T\n\n```shell\nls\n```\n",
			[]string{
				`2: warning: front matter: unknown key "owner" (known: title, vars, summary, emergency, rollback, planner-tui, restore-drill, approvals, notify, health-gate; Runme's: shell, cwd, skipPrompts, runme, category, terminalRows, tag)`,
				"3: warning: front matter: Runme's category ignored: planner-tui has no use for it",
				`4: warning: front matter: shell "fish" ignored: planner-tui runs bash, sh, zsh, ksh; shell and console blocks run with bash`,
			}},
		{"a bashism in sh", "# T\n\n```sh\nfiles=(a b)\n```\n",
			[]string{"4: shell syntax (sh): 1:7: arrays are a bash/mksh/zsh feature; tried parsing as posix"}},
		{"a prompt after a comment", "# T\n\n```bash\n# Say it\n$ echo hi\nhi\n```\n",
			[]string{`3: warning: commands written with a prompt: "$ " is removed from 1 line(s); the 1 line(s) without it are output and do not run`}},
		{"a prompt inside a block", "# T\n\n```bash\necho a\n$ echo b\n```\n",
			[]string{`5: warning: line starts with a prompt ("$ ") but the block does not: it runs "$" as a command; start the block with the prompt, or remove it`}},
		{"only a title", "# T\n", []string{"1: only a title: no commands, checks or text under it"}},
		{"a Runme name twice", "# T\n\n```bash {\"name\":\"go\"}\nls\n```\n\n```bash {\"name\":\"go\"}\npwd\n```\n",
			[]string{`7: warning: name "go" is also on line 3: this command's id gets a number`}},
		{"our id twice stays an error", "# T\n\n```bash {id=go}\nls\n```\n\n```bash {id=go}\npwd\n```\n",
			[]string{`7: duplicate id "go" (also on line 3)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range Lint("w.md", []byte(tt.src)) {
				got = append(got, strings.TrimPrefix(p.String(), "w.md:"))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
