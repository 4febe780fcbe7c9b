// Package changes says what a deployment will change before anything
// changes: the commits and files between the running version (HEAD of the
// planner dir) and the target, the .env keys the target's example adds or
// drops (names only, never values), and the pending migrations with only
// their SQL (alembic upgrade CURRENT:head --sql, rendered from the target's
// code), linted with PostgreSQL's parser (ops/sqllint).
package changes

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"planner-tui/ops"
	"planner-tui/ops/envfile"
	"planner-tui/ops/postgres"
)

// Plan is the review of one deployment.
type Plan struct {
	Dir     string `json:"dir"`
	Running Ref    `json:"running"` // HEAD of the planner dir
	Target  Ref    `json:"target"`
	// TargetFrom says how the target was chosen: "flag", "upstream" (the
	// branch's upstream as of the last fetch) or "newest tag".
	TargetFrom string       `json:"target_from"`
	Commits    []Commit     `json:"commits"`  // in the target, not running; newest first
	Reverted   []Commit     `json:"reverted"` // running, not in the target (a rollback)
	Files      []FileChange `json:"files"`
	Env        EnvKeys      `json:"env"`
	Migrations Migrations   `json:"migrations"`
	// Problems are the parts that could not be read (database unreachable,
	// alembic failed, no example env): the plan is incomplete, said so.
	Problems []string `json:"problems"`
}

// Options say what to compare.
type Options struct {
	Target ops.Target
	Ref    string          // target ref; "" for the upstream, else the newest tag
	DB     postgres.Config // where alembic_version is read
	// Render renders the pending SQL from the source dir it is given (the
	// target's alembic dir, extracted); nil for alembic in the running app
	// container, else in a one-off container of the app service (Fallback).
	Render func(source string) Renderer
	// CacheDir, when set, keeps rendered SQL per alembic tree and current
	// revision (see Cached); Fresh renders again anyway.
	CacheDir string
	Fresh    bool
}

// Build compares the running version with the target. An error means no
// plan (not a git repository, no such ref); a part that cannot be read is a
// Problem of the plan.
func Build(ctx context.Context, o Options) (Plan, error) {
	r := repo{dir: o.Target.Dir}
	p := Plan{Dir: o.Target.Dir, TargetFrom: "flag"}
	var err error
	if p.Running, err = r.resolve(ctx, "HEAD"); err != nil {
		return p, fmt.Errorf("the running version: %w", err)
	}
	name := o.Ref
	if name == "" {
		if name, p.TargetFrom, err = r.defaultTarget(ctx); err != nil {
			return p, err
		}
	}
	if p.Target, err = r.resolve(ctx, name); err != nil {
		return p, err
	}
	if p.Commits, err = r.log(ctx, p.Running.Commit, p.Target.Commit); err != nil {
		return p, err
	}
	if p.Reverted, err = r.log(ctx, p.Target.Commit, p.Running.Commit); err != nil {
		return p, err
	}
	if p.Files, err = r.diffstat(ctx, p.Running.Commit, p.Target.Commit); err != nil {
		return p, err
	}
	p.Env, err = envKeys(ctx, r, p.Running.Commit, p.Target.Commit)
	if err != nil {
		p.Problems = append(p.Problems, err.Error())
	}
	if err := p.migrations(ctx, r, o); err != nil {
		p.Problems = append(p.Problems, "pending migrations: "+err.Error())
	}
	p.Commits, p.Reverted, p.Files = orEmpty(p.Commits), orEmpty(p.Reverted), orEmpty(p.Files)
	p.Env.Missing, p.Env.Extra, p.Env.Added, p.Env.Removed = orEmpty(p.Env.Missing), orEmpty(p.Env.Extra), orEmpty(p.Env.Added), orEmpty(p.Env.Removed)
	p.Problems = orEmpty(p.Problems)
	p.Migrations.normalize()
	return p, nil
}

// orEmpty is s, or an empty list for nil: JSON lists are [], never null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (p *Plan) migrations(ctx context.Context, r repo, o Options) error {
	current, err := CurrentRevision(ctx, o.DB)
	if err != nil {
		return fmt.Errorf("current revision: %w", err)
	}
	p.Migrations.Current = current
	dir, ok, err := r.alembicDir(ctx, p.Target.Commit)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s has no alembic.ini", p.Target.Name)
	}
	src, err := mkSource()
	if err != nil {
		return err
	}
	defer os.RemoveAll(src)
	if err := extract(ctx, r, p.Target.Commit, dir, src); err != nil {
		return fmt.Errorf("the target's %s: %w", filepath.Join(".", dir), err)
	}
	var rd Renderer = &Fallback{Fast: &InApp{Target: o.Target, Source: src}, Slow: Alembic{Target: o.Target, Source: src}}
	if o.Render != nil {
		rd = o.Render(src)
	}
	if o.CacheDir != "" {
		tree, err := r.git(ctx, "rev-parse", p.Target.Commit+":"+dir)
		if err != nil {
			return err
		}
		key := fmt.Sprintf("alembic tree %s, project %s, service %s, files %v", strings.TrimSpace(tree), o.Target.Project, o.Target.AppService, o.Target.ComposeFiles)
		rd = &Cached{Dir: o.CacheDir, Key: key, R: rd, Fresh: o.Fresh}
	}
	m, err := Pending(ctx, rd, current)
	if b := buildChanges(p.Files); len(b) > 0 {
		m.Notes = append(m.Notes, fmt.Sprintf("the target changes how the app image is built (%s): its SQL was rendered by the image built now, whose alembic and SQLAlchemy the target may change; the upgrade's own check renders it again with the image it runs", strings.Join(b, ", ")))
	}
	m.normalize()
	p.Migrations = m
	return err
}

// extract writes the tree dir of commit into dst (readable by all: the app
// container's user reads it), dir's own path stripped.
func extract(ctx context.Context, r repo, commit, dir, dst string) error {
	args := []string{"-C", r.dir, "archive", "--format=tar", commit}
	if dir != "" {
		args = append(args, "--", dir)
	}
	cmd := exec.CommandContext(ctx, "git", args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		return err
	}
	terr := untar(out, dir, dst)
	io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git archive: %w: %s", err, strings.TrimSpace(errb.String()))
	}
	return terr
}

func untar(rd io.Reader, dir, dst string) error {
	tr := tar.NewReader(rd)
	prefix := ""
	if dir != "" {
		prefix = dir + "/"
	}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(h.Name, prefix)
		if name == "" || name == h.Name && prefix != "" || !fs.ValidPath(strings.TrimSuffix(name, "/")) {
			continue // outside dir, or a pax header
		}
		target := filepath.Join(dst, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			_, cerr := io.Copy(f, tr)
			if err := f.Close(); cerr == nil {
				cerr = err
			}
			if cerr != nil {
				return cerr
			}
		}
	}
}

// EnvKeys compares key names (never values) of the planner dir's .env with
// the target's example env file.
type EnvKeys struct {
	Example string `json:"example"` // the example file's name in the repo
	// Missing are keys the target's example has and .env lacks (add them
	// before deploying); Extra the keys .env has and the example does not.
	Missing []string `json:"missing"`
	Extra   []string `json:"extra"`
	// Added and Removed are what the target changes in the example itself.
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
}

// exampleNames are the example env files looked for, in order.
var exampleNames = []string{".env.production.example", ".env.example"}

func envKeys(ctx context.Context, r repo, running, target string) (EnvKeys, error) {
	var k EnvKeys
	var tgt, run *envfile.File
	for _, n := range exampleNames {
		b, ok, err := r.show(ctx, target, n)
		if err != nil {
			return k, err
		}
		if ok {
			k.Example = n
			tgt = envfile.Parse(n, b)
			break
		}
	}
	if tgt == nil {
		return k, fmt.Errorf("the target has no %s", strings.Join(exampleNames, " or "))
	}
	if b, ok, err := r.show(ctx, running, k.Example); err != nil {
		return k, err
	} else if ok {
		run = envfile.Parse(k.Example, b)
	}
	for _, d := range envfile.Diff(run, tgt) {
		if d.InExample {
			k.Added = append(k.Added, d.Key)
		} else {
			k.Removed = append(k.Removed, d.Key)
		}
	}
	env, err := envfile.Load(filepath.Join(r.dir, ".env"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	for _, d := range envfile.Diff(env, tgt) {
		if d.InExample {
			k.Missing = append(k.Missing, d.Key)
		} else {
			k.Extra = append(k.Extra, d.Key)
		}
	}
	if env == nil {
		return k, fmt.Errorf("%s has no .env", r.dir)
	}
	return k, nil
}
