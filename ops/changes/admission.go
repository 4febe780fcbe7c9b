package changes

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"planner-tui/ops"
	"planner-tui/ops/docker"
	"planner-tui/ops/envfile"
	"planner-tui/ops/postgres"
)

// AdmissionCheck is LiveCheck with the rendered SQL kept: the session runs
// it at every start of an `alembic upgrade` (twice for a refusal and then
// the confirmed start), and each render is a one-off container (seconds,
// more under load). The SQL alembic renders offline is a function of the
// code in the app image and the start revision, so it is kept in Dir (the
// state dir's plan-cache, next to op plan's) keyed by the app image's id,
// the database's revision and the target (project, service, compose files,
// dir). The id is read before and after rendering: a rebuild in between
// keeps nothing. Without an id (Docker unreachable, no image yet) nothing
// is kept and the check renders as LiveCheck does.
type AdmissionCheck struct {
	Dir string // "" keeps nothing
	// The parts, for tests; nil for the real ones: the app image's id
	// from the Docker API, the revision over pgx (password from .env),
	// alembic in a one-off container of the app service.
	ImageID func(ctx context.Context, t ops.Target) (string, error)
	Current func(ctx context.Context, t ops.Target) (string, error)
	Render  func(t ops.Target) Renderer
}

// Check has the session's MigrationCheck signature.
func (a AdmissionCheck) Check(ctx context.Context, t ops.Target) (Migrations, error) {
	current, err := a.current(ctx, t)
	if err != nil {
		return Migrations{}, fmt.Errorf("current revision: %w", err)
	}
	var rd Renderer = Alembic{Target: t}
	if a.Render != nil {
		rd = a.Render(t)
	}
	if a.Dir == "" {
		return Pending(ctx, rd, current)
	}
	id, err := a.imageID(ctx, t)
	if err != nil || id == "" {
		return Pending(ctx, rd, current)
	}
	key := fmt.Sprintf("app image %s, project %s, service %s, files %v, dir %s", id, t.Project, t.AppService, t.ComposeFiles, t.Dir)
	c := &Cached{Dir: a.Dir, Key: key, R: rd, Keep: func(ctx context.Context) bool {
		now, err := a.imageID(ctx, t)
		return err == nil && now == id
	}}
	return Pending(ctx, c, current)
}

func (a AdmissionCheck) current(ctx context.Context, t ops.Target) (string, error) {
	if a.Current != nil {
		return a.Current(ctx, t)
	}
	return liveCurrent(ctx, t)
}

func (a AdmissionCheck) imageID(ctx context.Context, t ops.Target) (string, error) {
	if a.ImageID != nil {
		return a.ImageID(ctx, t)
	}
	return AppImageID(ctx, t)
}

// liveCurrent reads the database's revision over pgx, the password from
// t.Dir/.env.
func liveCurrent(ctx context.Context, t ops.Target) (string, error) {
	c, err := DBConfig(t)
	if err != nil {
		return "", err
	}
	return CurrentRevision(ctx, c)
}

// DBConfig is where t's database is, the password read from t.Dir/.env now
// (it may change mid-deploy); no .env is no password.
func DBConfig(t ops.Target) (postgres.Config, error) {
	env := map[string]string{}
	if f, err := envfile.Load(filepath.Join(t.Dir, ".env")); err == nil {
		env = f.Map()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return postgres.Config{}, err
	}
	return postgres.ConfigFor(t, env), nil
}

// AppImageID is the id of the image a one-off `compose run APP` starts now:
// that of the image name the app service's container was created from (a
// rebuild moves the name to a new id while the old container still runs),
// else, with no container, of the names compose gives a built service
// (<project>_<service> for v1, <project>-<service> for v2).
func AppImageID(ctx context.Context, t ops.Target) (string, error) {
	d, err := docker.New(ctx)
	if err != nil {
		return "", err
	}
	defer d.Close()
	app := t.AppService
	if app == "" {
		app = "app"
	}
	var names []string
	if ct, err := d.ServiceContainer(ctx, t.Project, app); err == nil && ct.Image != "" && !strings.HasPrefix(ct.Image, "sha256:") {
		names = append(names, ct.Image)
	}
	names = append(names, t.Project+"_"+app, t.Project+"-"+app)
	for _, n := range names {
		in, err := d.API().ImageInspect(ctx, n)
		if err == nil {
			return in.ID, nil
		}
	}
	return "", fmt.Errorf("no image for service %s of project %s (tried %s)", app, t.Project, strings.Join(names, ", "))
}
