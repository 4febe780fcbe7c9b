package session

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func choiceValues(cs []Choice) []string {
	var v []string
	for _, c := range cs {
		v = append(v, c.Value)
	}
	return v
}

func TestParamChoicesBackupFilesNewestFirst(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	for i, ts := range []string{"20260101-100000", "20260102-100000", "20251231-235959"} {
		p := filepath.Join(f.marks, "pre-deploy-"+ts+".sql")
		if err := os.WriteFile(p, []byte("dump"), 0o600); err != nil {
			t.Fatal(err)
		}
		// Modification times decide the order, not the names.
		mt := now.Add(time.Duration(i) * time.Minute)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(f.marks, "other.sql"), nil, 0o600)
	cs, err := f.open(t).ParamChoices(context.Background(), "timestamp")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"20251231-235959", "20260102-100000", "20260101-100000"}
	if got := choiceValues(cs); !reflect.DeepEqual(got, want) {
		t.Errorf("choices %v, want %v", got, want)
	}
}

func TestParamChoicesAlembicRevisionsHeadFirst(t *testing.T) {
	f := newFixture(t)
	versions := t.TempDir()
	files := map[string]string{
		"0001_users.py": "\"\"\"create users\n\nRevision ID: aaa1\n\"\"\"\nrevision = 'aaa1'\ndown_revision = None\n",
		"0002_teams.py": "\"\"\"add teams\"\"\"\nrevision: str = \"bbb2\"\ndown_revision: Union[str, None] = 'aaa1'\n",
		"0003_index.py": "\"\"\"index teams\"\"\"\nrevision = 'ccc3'\ndown_revision = 'bbb2'\n",
		"__init__.py":   "",
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(versions, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	o := f.options()
	o.Sets["ALEMBIC_VERSIONS_DIR"] = versions
	s, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cs, err := s.ParamChoices(context.Background(), "revision-id")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := choiceValues(cs), []string{"ccc3", "bbb2", "aaa1", "base"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("choices %v, want %v", got, want)
	}
	if cs[0].Label != "index teams (head)" || cs[2].Label != "create users" {
		t.Errorf("labels %q, %q", cs[0].Label, cs[2].Label)
	}
}

func TestParamChoicesGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git not installed")
		}
		t.Skip("git not installed")
	}
	f := newFixture(t)
	git := func(args ...string) {
		t.Helper()
		c := exec.Command("git", append([]string{"-C", f.planner, "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "tag.gpgSign=false", "-c", "commit.gpgSign=false"}, args...)...)
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("commit", "-q", "--allow-empty", "-m", "first")
	git("tag", "-a", "v1.0.0", "-m", "release one")
	git("commit", "-q", "--allow-empty", "-m", "second")
	s := f.open(t)
	commits, err := s.ParamChoices(context.Background(), "previous-commit-hash")
	if err != nil || len(commits) != 2 {
		t.Fatalf("commits %v, %v", commits, err)
	}
	if !paramValue.MatchString(commits[0].Value) || commits[0].Label == "" {
		t.Errorf("commit choice %+v", commits[0])
	}
	tags, err := s.ParamChoices(context.Background(), "version")
	if err != nil || len(tags) != 1 || tags[0].Value != "v1.0.0" || tags[0].Label != "release one" {
		t.Errorf("tags %+v, %v", tags, err)
	}
}
