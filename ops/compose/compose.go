// Package compose finds how this host runs Docker Compose — Debian's
// standalone docker-compose v1, a standalone v2 binary, or the v2 plugin of
// the docker CLI (`docker compose`) — and, when only the plugin is there,
// gives the runbook's `docker-compose …` lines a shim that runs
// `docker compose …`, so a runbook written for either runs on both.
//
// Nothing here reads the stack: the monitor, wait-healthy and backups find
// containers by compose labels (see ops/docker), which both versions set.
package compose

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// EnvMode selects how the runbook's `docker-compose` lines run:
//
//	auto    (default) docker-compose when it is on PATH, else the plugin
//	        through the shim
//	plugin  always the plugin through the shim, even if a docker-compose
//	        is installed (a host moving to v2; the tests of v2)
//	standalone  never the shim
const EnvMode = "PLANNER_TUI_COMPOSE"

// Kind is how compose is invoked.
type Kind string

const (
	Standalone Kind = "standalone" // the docker-compose binary (v1 or v2)
	Plugin     Kind = "plugin"     // docker compose
)

// Flavour is one compose found on this host.
type Flavour struct {
	Kind    Kind
	Version string // as `version --short` prints it, without a leading v
	Path    string // the docker-compose binary, or the docker CLI
}

// Major is "v1" or "v2" (or "" when the version is unknown).
func (f Flavour) Major() string {
	switch {
	case strings.HasPrefix(f.Version, "1."):
		return "v1"
	case f.Version != "":
		return "v2"
	}
	return ""
}

func (f Flavour) String() string {
	name := "docker-compose"
	if f.Kind == Plugin {
		name = "docker compose"
	}
	return fmt.Sprintf("%s %s (%s)", name, f.Version, f.Major())
}

// Found is what Detect saw; either may be missing, and then its Err says
// why ("not on PATH", "not installed", "no answer: …").
type Found struct {
	Standalone    *Flavour
	Plugin        *Flavour
	StandaloneErr string
	PluginErr     string
}

// Detect looks for both, using the PATH given (the steps' PATH; "" means
// this process's). It runs `version --short` of each, both at once (v1 is a
// Python program that can take a second to start): call it from a
// goroutine or a command, never from a UI update.
func Detect(ctx context.Context, path string) Found {
	var f Found
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Without the plugin the docker CLI prints its own usage and fails.
		f.Plugin, f.PluginErr = probe(ctx, path, Plugin, "docker", "compose", "version", "--short")
	}()
	f.Standalone, f.StandaloneErr = probe(ctx, path, Standalone, "docker-compose", "version", "--short")
	<-done
	return f
}

// describe is one flavour for the operator: its version, or why not.
func describe(name string, fl *Flavour, why string) string {
	if fl != nil {
		return fl.String()
	}
	return name + ": " + why
}

// String says what was found of both, for doctor and notes.
func (f Found) String() string {
	return describe("docker-compose", f.Standalone, f.StandaloneErr) + "; " + describe("docker compose", f.Plugin, f.PluginErr)
}

// probe runs bin's version command and tells "not on PATH", "not installed"
// (it ran and failed, or printed no version) and "no answer" apart.
func probe(ctx context.Context, path string, kind Kind, bin string, args ...string) (*Flavour, string) {
	p, err := lookPath(bin, path)
	if err != nil {
		return nil, bin + " not on PATH"
	}
	v, err := version(ctx, path, p, args...)
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return nil, "no answer: " + ctx.Err().Error()
	case err == nil:
		return &Flavour{Kind: kind, Version: v, Path: p}, ""
	case errors.As(err, &ee), errors.Is(err, errNoVersion):
		return nil, "not installed"
	default:
		return nil, err.Error()
	}
}

// Decision is what the steps get: the shim directory to put first on their
// PATH ("" for none) and a one-line note saying what runs, for the operator.
type Decision struct {
	ShimDir string
	Using   *Flavour
	Note    string
}

// Decide applies the mode (EnvMode's values; "" is auto) to what was found.
// shimDir is where the shim may be written (a directory of planner-tui's
// state). A mode that cannot be honoured is an error naming what is missing.
func Decide(mode string, found Found, shimDir string) (Decision, error) {
	switch mode {
	case "", "auto":
		if found.Standalone != nil {
			return Decision{Using: found.Standalone}, nil
		}
		if found.Plugin == nil {
			return Decision{Note: "no docker-compose and no docker compose plugin on PATH: the runbook's compose lines will fail"}, nil
		}
	case "plugin":
		if found.Plugin == nil {
			return Decision{}, fmt.Errorf("%s=plugin but `docker compose` does not answer (is the compose plugin installed?)", EnvMode)
		}
	case "standalone":
		if found.Standalone == nil {
			return Decision{}, fmt.Errorf("%s=standalone but docker-compose is not on PATH", EnvMode)
		}
		return Decision{Using: found.Standalone}, nil
	default:
		return Decision{}, fmt.Errorf("%s=%q: want auto, plugin or standalone", EnvMode, mode)
	}
	if err := WriteShim(shimDir); err != nil {
		return Decision{}, err
	}
	why := "docker-compose is not installed"
	if found.Standalone != nil {
		why = EnvMode + "=plugin"
	}
	return Decision{ShimDir: shimDir, Using: found.Plugin,
		Note: fmt.Sprintf("%s: the runbook's docker-compose lines run %s through a shim (%s)", why, found.Plugin, filepath.Join(shimDir, "docker-compose"))}, nil
}

// shim is the docker-compose a step finds first on its PATH. It replaces
// itself with the plugin, so signals, exit codes and stdin are compose's
// own. One v1 meaning is kept: v1's `ps` lists stopped containers too, v2's
// only running ones unless --all; a runbook's "check all services" written
// for v1 must still show the service that exited, so `ps` gets --all
// (cobra takes flags after the arguments; not after a "--").
const shim = `#!/bin/sh
# Written by planner-tui: this host has the compose plugin, and the runbook
# says docker-compose. See docs/user-guide.md, "Compose v1 and v2".
skip=0
for a do
	if [ "$skip" = 1 ]; then skip=0; continue; fi
	case $a in
	--) break ;;
	-f|--file|-p|--project-name|--project-directory|--env-file|--profile|--ansi|--progress|--parallel|-c|--context|-H|--host|--log-level) skip=1 ;;
	-*) ;;
	ps) exec docker compose "$@" --all ;;
	*) break ;;
	esac
done
exec docker compose "$@"
`

// WriteShim writes dir/docker-compose (atomically: a step starting while it
// is written never sees half a script).
func WriteShim(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("compose shim: %w", err)
	}
	final := filepath.Join(dir, "docker-compose")
	if b, err := os.ReadFile(final); err == nil && string(b) == shim {
		return nil
	}
	tmp, err := os.CreateTemp(dir, ".docker-compose-*")
	if err != nil {
		return fmt.Errorf("compose shim: %w", err)
	}
	_, werr := tmp.WriteString(shim)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr, os.Chmod(tmp.Name(), 0o755)); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("compose shim: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("compose shim: %w", err)
	}
	return nil
}

func lookPath(file, path string) (string, error) {
	if path == "" {
		return exec.LookPath(file)
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, file)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: not found in PATH", file)
}

// errNoVersion: the command ran but printed no version (a docker CLI
// without the plugin, or something else named docker-compose).
var errNoVersion = errors.New("no version printed")

func version(ctx context.Context, path, bin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	if path != "" {
		cmd.Env = append(os.Environ(), "PATH="+path)
	}
	out, err := cmd.Output()
	if err != nil {
		return "", err
	}
	v := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	if v == "" || strings.ContainsAny(v, " \n") || v[0] < '0' || v[0] > '9' {
		return "", fmt.Errorf("%s %s: %w: %q", bin, strings.Join(args, " "), errNoVersion, v)
	}
	return v, nil
}

// OnPath says whether file is an executable on this process's PATH.
func OnPath(file string) bool {
	_, err := exec.LookPath(file)
	return err == nil
}
