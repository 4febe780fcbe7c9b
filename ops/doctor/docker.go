package doctor

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"planner-tui/ops/compose"
	"strings"

	"planner-tui/ops/docker"
)

// Docker connects to the engine the environment names (DOCKER_HOST, else
// the default socket) and reports its version and the negotiated API
// version.
func Docker(ctx context.Context) Check {
	const name = "docker"
	c, err := docker.New(ctx)
	if err != nil {
		return fail(name, err.Error(), "start the Docker engine (systemctl start docker), or point DOCKER_HOST at it")
	}
	defer c.Close()
	detail := fmt.Sprintf("API %s at %s", c.APIVersion(), c.Host())
	v, err := c.API().ServerVersion(ctx)
	if err != nil {
		return warn(name, detail+"; its version: "+err.Error(), "check the engine's log (journalctl -u docker)")
	}
	return ok(name, fmt.Sprintf("engine %s, %s", v.Version, detail))
}

// ComposeFlavour is one way of calling compose found on this host.
type ComposeFlavour struct {
	Command string // "docker-compose" or "docker compose"
	Version string // "" when not found
	Err     string // why not found
}

// V1 reports whether this is compose v1 (a version starting "1.").
func (f ComposeFlavour) V1() bool { return strings.HasPrefix(f.Version, "1.") }

func (f ComposeFlavour) String() string {
	if f.Version == "" {
		return f.Command + ": " + f.Err
	}
	kind := "v2"
	switch {
	case f.V1():
		kind = "v1, standalone"
	case f.Command == "docker-compose":
		kind = "v2, standalone"
	case f.Command == "docker compose":
		kind = "v2 plugin"
	}
	return fmt.Sprintf("%s %s (%s)", f.Command, f.Version, kind)
}

// DetectCompose asks both flavours for their version: `docker compose
// version --short` (the v2 plugin) and `docker-compose version --short`
// (v1, or a standalone v2).
// Both at once: v1 is a Python program that can take a second to start.
func DetectCompose(ctx context.Context) (plugin, standalone ComposeFlavour) {
	done := make(chan ComposeFlavour, 1)
	go func() { done <- composeVersion(ctx, "docker", "compose") }()
	standalone = composeVersion(ctx, "docker-compose")
	return <-done, standalone
}

func composeVersion(ctx context.Context, argv ...string) ComposeFlavour {
	f := ComposeFlavour{Command: strings.Join(argv, " ")}
	if _, err := exec.LookPath(argv[0]); err != nil {
		f.Err = argv[0] + " not on PATH"
		return f
	}
	out, err := exec.CommandContext(ctx, argv[0], append(argv[1:], "version", "--short")...).Output()
	v := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		f.Err = "no answer: " + ctx.Err().Error()
	case errors.As(err, &ee) || err == nil && !startsWithDigit(v):
		f.Err = "not installed"
	case err != nil:
		f.Err = err.Error()
	default:
		f.Version = v
	}
	return f
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// Compose judges the compose flavours found. The runbook's commands call
// `docker-compose` when needStandalone is set: with only the plugin here,
// planner-tui runs them through its shim (ops/compose), which is fine but
// worth saying. mode is PLANNER_TUI_COMPOSE (auto, plugin, standalone).
func Compose(plugin, standalone ComposeFlavour, needStandalone bool, mode string) Check {
	const name = "compose"
	detail := standalone.String() + "; " + plugin.String()
	switch {
	case mode != "" && mode != "auto" && mode != "plugin" && mode != "standalone":
		return fail(name, fmt.Sprintf("%s=%q", compose.EnvMode, mode), "set "+compose.EnvMode+" to auto, plugin or standalone (or unset it)")
	case mode == "plugin" && plugin.Version == "":
		return fail(name, detail+"; "+compose.EnvMode+"=plugin", "install the docker compose plugin, or unset "+compose.EnvMode)
	case mode == "standalone" && standalone.Version == "":
		return fail(name, detail+"; "+compose.EnvMode+"=standalone", "install docker-compose, or unset "+compose.EnvMode)
	case standalone.Version == "" && plugin.Version == "":
		return fail(name, detail, "install the docker compose plugin (or docker-compose)")
	case needStandalone && plugin.Version != "" && (standalone.Version == "" || mode == "plugin"):
		return warn(name, detail+"; the runbook's docker-compose lines will run the plugin through planner-tui's shim",
			"nothing to do; install docker-compose (or set "+compose.EnvMode+"=standalone) to run them as written")
	}
	return ok(name, detail)
}
