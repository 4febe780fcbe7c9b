package changes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// Ref is a git revision as given and as resolved.
type Ref struct {
	Name     string `json:"name"`     // as given: HEAD, origin/main, v1.2.3
	Commit   string `json:"commit"`   // full hash
	Describe string `json:"describe"` // git describe --tags --always
}

// Commit is one commit of the log.
type Commit struct {
	Hash    string `json:"hash"`
	Short   string `json:"short"`
	Author  string `json:"author"`
	Date    string `json:"date"` // author date, ISO 8601
	Subject string `json:"subject"`
}

// FileChange is one file of the diffstat; Binary files have no line counts.
type FileChange struct {
	Path    string `json:"path"`
	Added   int    `json:"added"`
	Deleted int    `json:"deleted"`
	Binary  bool   `json:"binary,omitempty"`
}

type repo struct{ dir string }

func (r repo) git(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", r.dir}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("git %s: %s", strings.Join(args, " "), msg)
	}
	return out.String(), nil
}

func (r repo) resolve(ctx context.Context, name string) (Ref, error) {
	out, err := r.git(ctx, "rev-parse", "--verify", "--quiet", name+"^{commit}")
	if err != nil {
		return Ref{}, fmt.Errorf("%s is not a commit, branch or tag of %s", name, r.dir)
	}
	ref := Ref{Name: name, Commit: strings.TrimSpace(out)}
	if d, err := r.git(ctx, "describe", "--tags", "--always", ref.Commit); err == nil {
		ref.Describe = strings.TrimSpace(d)
	}
	return ref, nil
}

// defaultTarget is the branch's upstream (what `git pull` would bring, as of
// the last fetch), else the newest version tag. from says which.
func (r repo) defaultTarget(ctx context.Context) (name, from string, err error) {
	if out, err := r.git(ctx, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"); err == nil {
		if u := strings.TrimSpace(out); u != "" {
			return u, "upstream", nil
		}
	}
	out, err := r.git(ctx, "tag", "--list", "--sort=-v:refname")
	if err != nil {
		return "", "", err
	}
	if tags := strings.Fields(out); len(tags) > 0 {
		return tags[0], "newest tag", nil
	}
	return "", "", errors.New("no target: the branch has no upstream and the repository no tag; give --target REF")
}

// log lists the commits reachable from to but not from from, newest first.
func (r repo) log(ctx context.Context, from, to string) ([]Commit, error) {
	out, err := r.git(ctx, "log", "--no-color", "--format=%H%x1f%h%x1f%an%x1f%aI%x1f%s", from+".."+to)
	if err != nil {
		return nil, err
	}
	var cs []Commit
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Split(l, "\x1f")
		if len(f) != 5 {
			continue
		}
		cs = append(cs, Commit{Hash: f[0], Short: f[1], Author: f[2], Date: f[3], Subject: f[4]})
	}
	return cs, nil
}

// diffstat is what changes in the tree from from to to.
func (r repo) diffstat(ctx context.Context, from, to string) ([]FileChange, error) {
	out, err := r.git(ctx, "diff", "--no-color", "--numstat", "--no-renames", from, to)
	if err != nil {
		return nil, err
	}
	var fs []FileChange
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.SplitN(l, "\t", 3)
		if len(f) != 3 {
			continue
		}
		fc := FileChange{Path: f[2]}
		if f[0] == "-" {
			fc.Binary = true
		} else {
			fc.Added, _ = strconv.Atoi(f[0])
			fc.Deleted, _ = strconv.Atoi(f[1])
		}
		fs = append(fs, fc)
	}
	return fs, nil
}

// show is a file's content at a commit; ok is false when it has no such file.
func (r repo) show(ctx context.Context, commit, path string) (b []byte, ok bool, err error) {
	if _, err := r.git(ctx, "cat-file", "-e", commit+":"+path); err != nil {
		return nil, false, nil
	}
	out, err := r.git(ctx, "show", commit+":"+path)
	if err != nil {
		return nil, false, err
	}
	return []byte(out), true, nil
}

// alembicDir is the directory of the commit that holds alembic.ini ("" for
// the top), the shallowest when there are several; ok is false when none does.
func (r repo) alembicDir(ctx context.Context, commit string) (dir string, ok bool, err error) {
	out, err := r.git(ctx, "ls-tree", "-r", "--name-only", commit)
	if err != nil {
		return "", false, err
	}
	best := -1
	for _, p := range strings.Split(out, "\n") {
		if p != "alembic.ini" && !strings.HasSuffix(p, "/alembic.ini") {
			continue
		}
		d := strings.TrimSuffix(strings.TrimSuffix(p, "alembic.ini"), "/")
		if depth := strings.Count(p, "/"); best < 0 || depth < best {
			best, dir, ok = depth, d, true
		}
	}
	return dir, ok, nil
}
