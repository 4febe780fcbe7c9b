package changes

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"planner-tui/ops"
	"planner-tui/ops/docker"
)

// InApp renders pending SQL in the app service's running container (an
// exec through the Docker API), the target's alembic dir copied into a
// temporary dir there, which is the working directory, as Source is for
// Alembic's one-off container. A one-off container costs seconds (on the
// vfs storage driver the whole image is copied); an exec costs alembic's
// own start. The SQL is the same as Alembic's when the running container
// runs the image a one-off would start now and starts alembic the same way
// (no entrypoint in between): otherwise PendingSQL says so with an
// *UnavailableError and renders nothing. Offline mode connects to nothing.
type InApp struct {
	Target ops.Target
	// Source is as for Alembic; "" renders the image's own code in the
	// container's working directory.
	Source string
	// Ran is set by PendingSQL: how alembic ran, as a command line.
	Ran string
}

// UnavailableError says why InApp cannot render as a one-off container
// would: the app is not running, runs another image than a one-off would,
// has an entrypoint, or Docker cannot be reached.
type UnavailableError struct{ Why string }

func (e *UnavailableError) Error() string { return "not in the running app container: " + e.Why }

// pycacheDir keeps, in the app container, the bytecode Python compiles for
// alembic's renders (pycacheEnv): an image that ships none, or says
// PYTHONDONTWRITEBYTECODE, makes every start compile SQLAlchemy and
// alembic again (1 s and more here). Bytecode is checked against its
// source's mtime and size, so it changes how fast alembic starts, never
// what it prints; it lives as long as the container.
const pycacheDir = "/tmp/planner-tui-pycache"

var pycacheEnv = []string{"PYTHONDONTWRITEBYTECODE=", "PYTHONPYCACHEPREFIX=" + pycacheDir}

// inAppParent is the container directory the source is copied under: it
// exists and is writable in any image, and the copy is removed after.
const inAppParent = "/tmp"

func (a *InApp) PendingSQL(ctx context.Context, current string) (string, string, error) {
	a.Ran = ""
	d, err := docker.New(ctx)
	if err != nil {
		return "", "", &UnavailableError{err.Error()}
	}
	defer d.Close()
	ct, err := a.container(ctx, d)
	if err != nil {
		return "", "", err
	}
	spec := docker.ExecSpec{Cmd: []string{"alembic", "upgrade", upgradeRange(current), "--sql"}, Env: pycacheEnv}
	if a.Source != "" {
		name, err := randomName("planner-tui-plan-")
		if err != nil {
			return "", "", err
		}
		spec.WorkingDir = path.Join(inAppParent, name)
		if err := a.copySource(ctx, d, ct.ID, name); err != nil {
			return "", "", err
		}
		// The copy and its bytecode (under the prefix, by its path).
		defer removeIn(d, ct.ID, spec.WorkingDir, pycacheDir+spec.WorkingDir)
	}
	a.Ran = execLine(ct.Name, spec)
	var out, errb bytes.Buffer
	code, err := d.ExecAs(ctx, ct.ID, spec, nil, &out, &errb)
	if err != nil {
		return "", errb.String(), fmt.Errorf("%s: %w", a.Ran, err)
	}
	if code != 0 {
		return "", errb.String(), alembicFailed(a.Ran, current, fmt.Errorf("exit status %d", code), errb.String())
	}
	return out.String(), errb.String(), nil
}

// container is the app service's running container, when a one-off would
// start the same image now and run alembic as the exec does.
func (a *InApp) container(ctx context.Context, d *docker.Client) (docker.Container, error) {
	app := appService(a.Target)
	ct, err := d.ServiceContainer(ctx, a.Target.Project, app)
	if err != nil {
		return ct, &UnavailableError{err.Error()}
	}
	if !ct.Running() {
		return ct, &UnavailableError{fmt.Sprintf("the %s service is not running (%s)", app, ct.State)}
	}
	// A rebuild moves the image's name to a new id while the container
	// runs the old one; a one-off starts the new one.
	if ct.Image == "" || strings.HasPrefix(ct.Image, "sha256:") {
		return ct, &UnavailableError{fmt.Sprintf("container %s was created from an image id, not a name a one-off would start", ct.Name)}
	}
	im, err := d.API().ImageInspect(ctx, ct.Image)
	if err != nil {
		return ct, &UnavailableError{fmt.Sprintf("image %s: %v", ct.Image, err)}
	}
	if im.ID != ct.ImageID {
		return ct, &UnavailableError{fmt.Sprintf("%s was rebuilt since container %s started (a one-off runs the new image)", ct.Image, ct.Name)}
	}
	in, err := d.API().ContainerInspect(ctx, ct.ID)
	if err != nil {
		return ct, &UnavailableError{fmt.Sprintf("inspect %s: %v", ct.Name, err)}
	}
	if in.Config != nil && len(in.Config.Entrypoint) > 0 {
		// compose run puts the entrypoint before alembic; an exec would not.
		return ct, &UnavailableError{fmt.Sprintf("container %s has an entrypoint (%s), which a one-off runs before alembic", ct.Name, strings.Join(in.Config.Entrypoint, " "))}
	}
	return ct, nil
}

// copySource copies Source into inAppParent/name in the container.
func (a *InApp) copySource(ctx context.Context, d *docker.Client, id, name string) error {
	var b bytes.Buffer
	if err := tarDir(&b, a.Source, name); err != nil {
		return fmt.Errorf("archive %s: %w", a.Source, err)
	}
	if err := d.CopyTo(ctx, id, inAppParent, &b); err != nil {
		return &UnavailableError{err.Error()}
	}
	return nil
}

// removeIn removes the copied source as root (it was unpacked as root),
// even when the render was cancelled. Best effort: a left-over dir in
// /tmp of a container costs its size, not correctness.
func removeIn(d *docker.Client, id string, dirs ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, _ = d.ExecAs(ctx, id, docker.ExecSpec{Cmd: append([]string{"rm", "-rf", "--"}, dirs...), User: "0"}, nil, nil, nil)
}

// execLine is the exec as the docker CLI would spell it.
func execLine(container string, s docker.ExecSpec) string {
	args := []string{"docker", "exec"}
	if s.WorkingDir != "" {
		args = append(args, "-w", s.WorkingDir)
	}
	for _, e := range s.Env {
		args = append(args, "-e", e)
	}
	return strings.Join(append(append(args, container), s.Cmd...), " ")
}

// tarDir writes dir's regular files and directories to w under prefix,
// readable by all (the container's user reads them).
func tarDir(w io.Writer, dir, prefix string) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := path.Join(prefix, filepath.ToSlash(rel))
		switch {
		case e.IsDir():
			return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: 0o755})
		case e.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			info, err := e.Info()
			if err != nil {
				return err
			}
			// The mtime too: bytecode is checked against it.
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(b)), ModTime: info.ModTime()}); err != nil {
				return err
			}
			_, err = tw.Write(b)
			return err
		}
		return nil // git archive extracted only files and dirs
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

func randomName(prefix string) (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + hex.EncodeToString(b), nil
}

func appService(t ops.Target) string {
	if t.AppService == "" {
		return "app"
	}
	return t.AppService
}

// Fallback renders with Fast (InApp), and with Slow (Alembic's one-off
// container) when Fast cannot or fails: both render the same SQL
// (TestInAppAndOneOffRenderTheSame), Slow in seconds more. A revision the
// code does not know is the code's verdict, the same in both: it is not
// rendered again.
type Fallback struct {
	Fast, Slow Renderer
	// Set by PendingSQL: the command line that rendered (when the renderer
	// says it), and why Slow did ("" when Fast did).
	Command string
	Why     string
}

// commandLiner is a renderer that says how it runs alembic.
type commandLiner interface {
	CommandLine(current string) string
}

// CommandLine is the exec of the last PendingSQL, as the docker CLI would
// spell it; "" before one.
func (a *InApp) CommandLine(string) string { return a.Ran }

// CommandLine is the one-off container's command line.
func (a Alembic) CommandLine(current string) string { return strings.Join(a.Args(current), " ") }

func commandOf(r Renderer, current string) string {
	if c, ok := r.(commandLiner); ok {
		return c.CommandLine(current)
	}
	return ""
}

func (f *Fallback) PendingSQL(ctx context.Context, current string) (string, string, error) {
	f.Command, f.Why = "", ""
	sql, log, err := f.Fast.PendingSQL(ctx, current)
	var unknown *unknownRevisionError
	if err == nil || errors.As(err, &unknown) || ctx.Err() != nil {
		f.Command = commandOf(f.Fast, current)
		return sql, log, err
	}
	f.Why = err.Error()
	var u *UnavailableError
	if errors.As(err, &u) {
		f.Why = u.Why
	}
	f.Command = commandOf(f.Slow, current)
	return f.Slow.PendingSQL(ctx, current)
}

// buildFiles are the names of the files that define how a Python app image
// is built. A target that changes one runs in an image not built yet: its
// SQL is rendered by the running image's alembic and SQLAlchemy (by the
// one-off container as well: nothing is built), which the plan says.
var buildFiles = []string{"Dockerfile", "Dockerfile.*", "*.dockerfile", "Containerfile", "requirements*.txt", "constraints*.txt",
	"pyproject.toml", "setup.py", "setup.cfg", "Pipfile", "Pipfile.lock", "poetry.lock", "uv.lock"}

// buildChanges are the changed files among fs that define the app image.
func buildChanges(fs []FileChange) []string {
	var out []string
	for _, f := range fs {
		base := path.Base(f.Path)
		for _, pat := range buildFiles {
			if ok, _ := path.Match(pat, base); ok {
				out = append(out, f.Path)
				break
			}
		}
	}
	return out
}
