// Package stackstate reads what runs on the planner stack, for the
// deployment record (checklist.DeploymentRecord): the planner dir's git
// commit, tag and branch, each compose service's image, the alembic
// revision, the app's version from its /health, and a hash of .env (never
// its values). It also keeps the app's image under a tag of its own, so
// that a rebuild or a prune cannot take the image a rollback would start.
package stackstate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"

	"planner-tui/checklist"
	"planner-tui/ops"
	"planner-tui/ops/docker"
	"planner-tui/ops/httpcheck"
	"planner-tui/ops/postgres"
)

// Timeout bounds each part of a capture; the parts run side by side, so a
// capture takes at most about this long.
const Timeout = 5 * time.Second

// Options say where the stack is. Env are the .env values (the database
// password); DB may be nil to read the database from Target and Env.
type Options struct {
	Target ops.Target
	Env    map[string]string
	// Docker is used when set (the caller owns it); else a client is
	// opened and closed for the capture.
	Docker *docker.Client
}

// Capture reads the stack as it is now. A part that cannot be read is
// named in Errors with the reason and left empty: it never fails whole
// (a stack that is down still has a commit and an .env).
func Capture(ctx context.Context, o Options) *checklist.StackState {
	st := &checklist.StackState{At: time.Now().UTC(), Errors: map[string]string{}}
	var mu sync.Mutex
	fail := func(part string, err error) {
		mu.Lock()
		st.Errors[part] = err.Error()
		mu.Unlock()
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		commit, tag, branch, err := gitState(ctx, o.Target.Dir)
		mu.Lock()
		st.Commit, st.Tag, st.Branch = commit, tag, branch
		mu.Unlock()
		if err != nil {
			fail("git", err)
		}
	})
	wg.Go(func() {
		images, err := Images(ctx, o)
		mu.Lock()
		st.Images = images
		mu.Unlock()
		if err != nil {
			fail("images", err)
		}
	})
	wg.Go(func() {
		cfg := postgres.ConfigFor(o.Target, o.Env)
		cfg.Timeout = Timeout
		rep := postgres.Check(ctx, cfg, nil)
		if rep.Err != "" {
			fail("revision", errors.New(rep.Err))
			return
		}
		mu.Lock()
		st.Revision = strings.Join(rep.Revisions, ",")
		if st.Revision == "" {
			st.Revision = rep.Revision
		}
		mu.Unlock()
	})
	wg.Go(func() {
		v, err := AppVersion(ctx, o.Target.BaseURL)
		if err != nil {
			fail("app version", err)
			return
		}
		mu.Lock()
		st.AppVersion = v
		mu.Unlock()
	})
	wg.Go(func() {
		h, err := EnvHash(o.Target.Dir)
		if err != nil {
			fail("env", err)
			return
		}
		mu.Lock()
		st.EnvHash = h
		mu.Unlock()
	})
	wg.Wait()
	if len(st.Errors) == 0 {
		st.Errors = nil
	}
	return st
}

// gitState is HEAD's commit, the tag pointing at it ("" when none) and
// the branch ("" when detached) of the checkout in dir.
func gitState(ctx context.Context, dir string) (commit, tag, branch string, err error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	git := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
		out, err := cmd.Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) && len(ee.Stderr) > 0 {
				err = fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
			}
			return "", fmt.Errorf("git %s in %s: %w", strings.Join(args, " "), dir, err)
		}
		return strings.TrimSpace(string(out)), nil
	}
	if commit, err = git("rev-parse", "HEAD"); err != nil {
		return "", "", "", err
	}
	// No tag on HEAD is not an error: --points-at lists none.
	if tags, err := git("tag", "--points-at", "HEAD", "--sort=-creatordate"); err == nil && tags != "" {
		tag, _, _ = strings.Cut(tags, "\n")
	}
	if b, err := git("symbolic-ref", "--quiet", "--short", "HEAD"); err == nil {
		branch = b
	}
	return commit, tag, branch, nil
}

// Images are the images the compose project's containers run, by service
// (the first replica's).
func Images(ctx context.Context, o Options) (map[string]checklist.ImageRef, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	d := o.Docker
	if d == nil {
		var err error
		if d, err = docker.New(ctx); err != nil {
			return nil, err
		}
		defer d.Close()
	}
	cs, err := d.Containers(ctx, o.Target.Project)
	if err != nil {
		return nil, err
	}
	out := map[string]checklist.ImageRef{}
	for _, c := range cs {
		if _, ok := out[c.Service]; ok || c.Service == "" {
			continue
		}
		out[c.Service] = checklist.ImageRef{ID: c.ImageID, Tag: c.Image}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no containers in compose project %q", o.Target.Project)
	}
	return out, nil
}

// AppVersion is the "version" the app's GET <baseURL>/health answers.
func AppVersion(ctx context.Context, baseURL string) (string, error) {
	if baseURL == "" {
		return "", errors.New("BASE_URL is not set")
	}
	url := strings.TrimRight(baseURL, "/") + "/health"
	code, body, err := httpcheck.Get(ctx, url, Timeout)
	if err != nil {
		return "", err
	}
	var h struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(body, &h); err != nil || h.Version == "" {
		return "", fmt.Errorf("GET %s: %d, no version in the answer", url, code)
	}
	return h.Version, nil
}

// EnvHash is the sha256 (hex) of dir/.env: it tells whether .env changed,
// never what it holds.
func EnvHash(dir string) (string, error) {
	f, err := os.Open(filepath.Join(dir, ".env"))
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", f.Name(), err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// KeptTag is the tag the app image running before run runID is kept
// under: "<repository of tag>:pre-<run id>" ("planner_app:pre-2026...").
func KeptTag(imageTag, runID string) string {
	repo := imageTag
	// The repository is what comes before the last ':' that is not part
	// of a registry's host:port ("localhost:5000/app:1.2").
	if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
		repo = repo[:i]
	}
	if repo == "" || strings.HasPrefix(repo, "sha256") {
		repo = "planner-tui-kept"
	}
	tag := "pre-" + runID
	if len(tag) > 128 {
		tag = tag[:128]
	}
	return repo + ":" + tag
}

// KeepImage tags the image id as ref, so that a rebuild that moves the
// service's tag, or a prune, leaves it.
func KeepImage(ctx context.Context, d *docker.Client, id, ref string) error {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	if err := d.API().ImageTag(ctx, id, ref); err != nil {
		return fmt.Errorf("tag image %s as %s: %w", id, ref, err)
	}
	return nil
}

// KeepKept is how many kept images (<repo>:pre-<run id>) PruneKept leaves
// per repository: the newest, by run id (which starts with the run's UTC
// start time). Each deployment keeps one; without a bound every run that
// deploys (and every test run against a shared engine) would add a tag.
const KeepKept = 3

// KeptMinAge is how young a kept tag is never pruned, however many newer
// ones there are: it may be the way back of a deployment still under way
// in another run (another state dir on the same engine), and losing it
// would turn that run's rollback into a rebuild.
const KeptMinAge = 24 * time.Hour

// PruneKept removes the kept-image tags of repo that Prunable picks. A tag
// is only removed: an image another tag or a container still uses stays
// (the engine refuses to remove it, and that refusal is not an error
// here). It returns the tags removed.
func PruneKept(ctx context.Context, d *docker.Client, repo, except string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	ims, err := d.API().ImageList(ctx, image.ListOptions{Filters: filters.NewArgs(filters.Arg("reference", repo+":pre-*"))})
	if err != nil {
		return nil, fmt.Errorf("list kept images of %s: %w", repo, err)
	}
	var tags []string
	for _, im := range ims {
		for _, t := range im.RepoTags {
			if strings.HasPrefix(t, repo+":pre-") {
				tags = append(tags, t)
			}
		}
	}
	var removed []string
	for _, t := range Prunable(tags, except, time.Now()) {
		if _, err := d.API().ImageRemove(ctx, t, image.RemoveOptions{}); err == nil {
			removed = append(removed, t)
		}
	}
	return removed, nil
}

// Prunable picks the kept tags to remove: those beyond the newest KeepKept
// (except counts as one of them and always stays) whose run started
// KeptMinAge before now or longer ago. A tag whose run id does not start
// with a start time (not made by planner-tui's runs) is pruned by count
// alone.
func Prunable(tags []string, except string, now time.Time) []string {
	tags = slices.Clone(tags)
	slices.Sort(tags)
	slices.Reverse(tags) // newest run first
	var out []string
	kept := 0
	for _, t := range tags {
		if t == except {
			continue
		}
		if kept < KeepKept-1 {
			kept++
			continue
		}
		if started, ok := keptStarted(t); ok && now.Sub(started) < KeptMinAge {
			continue
		}
		out = append(out, t)
	}
	return out
}

// keptStarted is the start time in a kept tag's run id
// ("planner_app:pre-20261202-172017-deployment-runbook").
func keptStarted(tag string) (time.Time, bool) {
	_, id, ok := strings.Cut(tag, ":pre-")
	if !ok || len(id) < len("20060102-150405") {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102-150405", id[:len("20060102-150405")])
	return t, err == nil
}
