package session

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"mvdan.cc/sh/v3/shell"

	"planner-tui/checklist"
)

// ParamChoices lists values for a placeholder where they can be listed:
// git commits and tags for a checkout, alembic revisions for a downgrade,
// backup files for a restore. It runs git and reads files, so call it from
// a goroutine (a tea.Cmd in the TUI). An empty list means "type it".
func (s *Session) ParamChoices(ctx context.Context, name string) ([]Choice, error) {
	cs, err := s.choices.list(ctx, name)
	if sn := s.Snapshot(); sn != nil && sn.Run != nil && sn.Run.Deployment != nil {
		cs = withRecorded(name, cs, sn.Run.Deployment.From) // record_choices.go
	}
	return cs, err
}

// choices is the parameter-choices part of a session: it offers values for
// a placeholder from the stack's checkout (git, alembic migration files)
// and from disk (backup files). It reads only the planner dir and the
// runbook, never the run, and holds no lock.
type choices struct {
	dir     string            // the planner dir (the git checkout)
	vars    map[string]string // the effective variables (read only)
	runbook *checklist.Runbook
}

// list is ParamChoices.
func (s choices) list(ctx context.Context, name string) ([]Choice, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "commit") || strings.Contains(n, "hash"):
		return s.gitCommits(ctx)
	case strings.Contains(n, "tag") || strings.Contains(n, "version"):
		return s.gitTags(ctx)
	case strings.Contains(n, "revision"):
		return s.alembicRevisions()
	}
	return s.globChoices(name)
}

func (s choices) git(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", s.dir}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s in %s: %w", strings.Join(args, " "), s.dir, err)
	}
	return out, nil
}

// gitCommits offers the recent commits and the tags, newest first.
func (s choices) gitCommits(ctx context.Context) ([]Choice, error) {
	out, err := s.git(ctx, "log", "--format=%h%x09%d %s (%cr)", "-20", "--all")
	if err != nil {
		return nil, err
	}
	var cs []Choice
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if hash, label, ok := strings.Cut(line, "\t"); ok {
			cs = append(cs, Choice{Value: hash, Label: strings.TrimSpace(label)})
		}
	}
	return cs, nil
}

func (s choices) gitTags(ctx context.Context) ([]Choice, error) {
	out, err := s.git(ctx, "tag", "--sort=-creatordate", "--format=%(refname:short)%09%(subject)")
	if err != nil {
		return nil, err
	}
	var cs []Choice
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		tag, label, _ := strings.Cut(line, "\t")
		if tag != "" {
			cs = append(cs, Choice{Value: tag, Label: label})
		}
	}
	return cs, nil
}

var (
	revisionRe     = regexp.MustCompile(`(?m)^revision\s*(?::\s*str\s*)?=\s*['"]([^'"]+)['"]`)
	downRevisionRe = regexp.MustCompile(`(?m)^down_revision\s*(?::[^=]+)?=\s*['"]([^'"]+)['"]`)
	docTitleRe     = regexp.MustCompile(`^"""([^\n]*)`)
)

// alembicRevisions reads the migration files of the checked-out code
// (ALEMBIC_VERSIONS_DIR, default backend/alembic/versions): revision, what
// it follows and its title, ordered from head to base. "base" is offered
// last (downgrade everything).
func (s choices) alembicRevisions() ([]Choice, error) {
	dir := s.vars["ALEMBIC_VERSIONS_DIR"]
	if dir == "" {
		dir = filepath.Join("backend", "alembic", "versions")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(s.dir, dir)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.py"))
	if err != nil {
		return nil, err
	}
	type rev struct{ id, down, title string }
	byDown := map[string]rev{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		m := revisionRe.FindSubmatch(src)
		if m == nil {
			continue
		}
		r := rev{id: string(m[1]), title: filepath.Base(f)}
		if d := downRevisionRe.FindSubmatch(src); d != nil {
			r.down = string(d[1])
		}
		// A one-line docstring ("""add teams""") ends on the same line.
		if t := docTitleRe.FindSubmatch(bytes.TrimSpace(src)); t != nil {
			if title := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(string(t[1])), `"""`)); title != "" {
				r.title = title
			}
		}
		byDown[r.down] = r
	}
	// Walk from base up, then reverse: head first.
	var chain []Choice
	for cur, seen := "", 0; seen <= len(byDown); seen++ {
		r, ok := byDown[cur]
		if !ok {
			break
		}
		chain = append(chain, Choice{Value: r.id, Label: r.title})
		cur = r.id
	}
	for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
		chain[i], chain[j] = chain[j], chain[i]
	}
	if len(chain) > 0 {
		chain[0].Label += " (head)"
		chain = append(chain, Choice{Value: "base", Label: "before every migration"})
	}
	return chain, nil
}

// globChoices finds the shell word around <name> in the runbook's commands
// that use it (such as "${BACKUP_DIR}/pre-deploy-<timestamp>.sql"), expands
// its variables and offers what matches on disk, newest first.
func (s choices) globChoices(name string) ([]Choice, error) {
	ph := "<" + name + ">"
	seen := map[string]bool{}
	type found struct {
		value string
		mod   time.Time
		label string
	}
	var all []found
	for _, c := range s.runbook.Commands() {
		if !strings.Contains(c.Script, ph) {
			continue
		}
		sc := bufio.NewScanner(strings.NewReader(c.Script))
		for sc.Scan() {
			for _, word := range strings.Fields(sc.Text()) {
				if !strings.Contains(word, ph) {
					continue
				}
				word = strings.Trim(word, `"'`)
				expanded, err := shell.Expand(strings.ReplaceAll(word, ph, "__PLACEHOLDER__"), func(v string) string { return s.vars[v] })
				if err != nil || !strings.Contains(expanded, "/") {
					continue
				}
				prefix, suffix, _ := strings.Cut(expanded, "__PLACEHOLDER__")
				matches, _ := filepath.Glob(prefix + "*" + suffix)
				for _, m := range matches {
					v := strings.TrimSuffix(strings.TrimPrefix(m, prefix), suffix)
					if seen[v] || !paramValue.MatchString(v) {
						continue
					}
					seen[v] = true
					fi, err := os.Stat(m)
					if err != nil {
						continue
					}
					all = append(all, found{v, fi.ModTime(), fmt.Sprintf("%s  %s  %d bytes", m, fi.ModTime().Format("2006-01-02 15:04"), fi.Size())})
				}
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].mod.After(all[j].mod) })
	cs := make([]Choice, len(all))
	for i, f := range all {
		cs[i] = Choice{Value: f.value, Label: f.label}
	}
	return cs, nil
}
