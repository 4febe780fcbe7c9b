package changes

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeRenderer stands in for a container: what it renders, or its error.
type fakeRenderer struct {
	sql   string
	err   error
	line  string
	calls int
}

func (f *fakeRenderer) PendingSQL(context.Context, string) (string, string, error) {
	f.calls++
	return f.sql, "", f.err
}

func (f *fakeRenderer) CommandLine(string) string { return f.line }

const oneRevision = "BEGIN;\n\n-- Running upgrade a -> b\n\nALTER TABLE programs ADD COLUMN status VARCHAR(20);\n\nCOMMIT;\n"

// The plan renders in the running app container when it can, and says
// where it rendered; a one-off container renders otherwise, the plan says
// why. A revision the code does not know is not rendered twice.
func TestFallbackSaysWhereItRendered(t *testing.T) {
	tests := []struct {
		name       string
		fastErr    error
		slowErr    error
		wantSlow   bool
		renderedIn string
		command    string
		wantErr    string
	}{
		{"the running app renders", nil, nil, false, "the running app container", "docker exec planner_app_1 alembic", ""},
		{"the app is not running", &UnavailableError{"the app service is not running (exited)"}, nil, true,
			"a one-off container (the app service is not running (exited))", "docker-compose run", ""},
		{"the exec failed", errors.New("exec \"alembic\" in 0123: connection reset"), nil, true,
			"a one-off container (exec \"alembic\" in 0123: connection reset)", "docker-compose run", ""},
		{"the code does not know the database's revision", &unknownRevisionError{"the database is at e5d4, which this code does not know"}, nil, false,
			"", "", "which this code does not know"},
		{"both fail", &UnavailableError{"docker unreachable"}, errors.New("docker-compose run: exit status 1"), true,
			"", "", "docker-compose run: exit status 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fast := &fakeRenderer{sql: oneRevision, err: tt.fastErr, line: "docker exec planner_app_1 alembic upgrade a:head --sql"}
			slow := &fakeRenderer{sql: oneRevision, err: tt.slowErr, line: "docker-compose run --rm -T --no-deps app alembic upgrade a:head --sql"}
			if tt.fastErr != nil {
				fast.sql = ""
			}
			m, err := Pending(context.Background(), &Fallback{Fast: fast, Slow: slow}, "a")
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err %v, want %q", err, tt.wantErr)
			}
			if got := slow.calls == 1; got != tt.wantSlow || fast.calls != 1 {
				t.Errorf("fast rendered %d, slow %d; want the one-off: %v", fast.calls, slow.calls, tt.wantSlow)
			}
			if m.RenderedIn != tt.renderedIn || !strings.HasPrefix(m.Command, tt.command) {
				t.Errorf("rendered in %q by %q, want %q by %q…", m.RenderedIn, m.Command, tt.renderedIn, tt.command)
			}
			if err == nil && len(m.Pending) != 1 {
				t.Errorf("pending %+v, want the one revision", m.Pending)
			}
		})
	}
}

// SQL kept from an earlier render does not claim where it was rendered.
func TestFallbackCachedSaysNoContainer(t *testing.T) {
	dir := t.TempDir()
	fast, slow := &fakeRenderer{sql: oneRevision, line: "docker exec x"}, &fakeRenderer{sql: oneRevision, line: "docker-compose run x"}
	for i, want := range []string{"the running app container", ""} {
		m, err := Pending(context.Background(), &Cached{Dir: dir, Key: "k", R: &Fallback{Fast: fast, Slow: slow}}, "a")
		if err != nil || m.RenderedIn != want || m.Cached != (i == 1) {
			t.Errorf("plan %d: err %v, rendered in %q (want %q), cached %v", i+1, err, m.RenderedIn, want, m.Cached)
		}
	}
	if fast.calls != 1 || slow.calls != 0 {
		t.Errorf("renders: fast %d, slow %d; want one in the running app", fast.calls, slow.calls)
	}
}

func TestBuildChanges(t *testing.T) {
	files := []FileChange{
		{Path: "backend/app/models.py"}, {Path: "backend/Dockerfile"}, {Path: "backend/requirements-prod.txt"},
		{Path: "pyproject.toml"}, {Path: "backend/alembic/versions/x.py"}, {Path: "docs/requirements.md"},
		{Path: "deploy/Dockerfile.prod"}, {Path: "backend/poetry.lock"},
	}
	want := []string{"backend/Dockerfile", "backend/requirements-prod.txt", "pyproject.toml", "deploy/Dockerfile.prod", "backend/poetry.lock"}
	if got := buildChanges(files); !slices.Equal(got, want) {
		t.Errorf("build changes %v, want %v", got, want)
	}
}

// What is copied into the container is the extracted alembic dir, whole,
// under one new dir, readable by the container's user.
func TestTarDir(t *testing.T) {
	src := t.TempDir()
	for name, body := range map[string]string{"alembic.ini": "[alembic]\n", "alembic/env.py": "x = 1\n", "app/core/config.py": "VERSION = '1.2.4'\n"} {
		p := filepath.Join(src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := tarDir(&b, src, "planner-tui-plan-x"); err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(&b)
	var got []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		if h.Mode&0o044 != 0o044 {
			t.Errorf("%s: mode %o, not readable by all", h.Name, h.Mode)
		}
		got = append(got, h.Name+" "+strings.TrimSpace(string(body)))
	}
	want := []string{"planner-tui-plan-x/ ", "planner-tui-plan-x/alembic/ ", "planner-tui-plan-x/alembic/env.py x = 1",
		"planner-tui-plan-x/alembic.ini [alembic]", "planner-tui-plan-x/app/ ", "planner-tui-plan-x/app/core/ ",
		"planner-tui-plan-x/app/core/config.py VERSION = '1.2.4'"}
	if !slices.Equal(got, want) {
		t.Errorf("archive\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
