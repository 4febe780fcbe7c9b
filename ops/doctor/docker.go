package doctor

import (
	"context"
	"fmt"
	"planner-tui/ops/compose"

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

// Compose judges the compose flavours found. The runbook's commands call
// `docker-compose` when needStandalone is set: with only the plugin here,
// planner-tui runs them through its shim (ops/compose), which is fine but
// worth saying. mode is PLANNER_TUI_COMPOSE (auto, plugin, standalone).
func Compose(found compose.Found, needStandalone bool, mode string) Check {
	const name = "compose"
	detail := found.String()
	hasPlugin, hasStandalone := found.Plugin != nil, found.Standalone != nil
	switch {
	case mode != "" && mode != "auto" && mode != "plugin" && mode != "standalone":
		return fail(name, fmt.Sprintf("%s=%q", compose.EnvMode, mode), "set "+compose.EnvMode+" to auto, plugin or standalone (or unset it)")
	case mode == "plugin" && !hasPlugin:
		return fail(name, detail+"; "+compose.EnvMode+"=plugin", "install the docker compose plugin, or unset "+compose.EnvMode)
	case mode == "standalone" && !hasStandalone:
		return fail(name, detail+"; "+compose.EnvMode+"=standalone", "install docker-compose, or unset "+compose.EnvMode)
	case !hasStandalone && !hasPlugin:
		return fail(name, detail, "install the docker compose plugin (or docker-compose)")
	case needStandalone && hasPlugin && (!hasStandalone || mode == "plugin"):
		return warn(name, detail+"; the runbook's docker-compose lines will run the plugin through planner-tui's shim",
			"nothing to do; install docker-compose (or set "+compose.EnvMode+"=standalone) to run them as written")
	}
	return ok(name, detail)
}
