package docker

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Compose says how to call docker compose on this host.
type Compose struct {
	Argv    []string // e.g. ["docker", "compose"] or ["docker-compose"]
	V2      bool     // v2 flags (up --wait, ps --format json, compose ls) are available
	Version string   // as reported, without a leading "v"
}

// DetectCompose tries `docker compose version --short`, then
// `docker-compose version --short`. A version starting with "1." is v1 (a
// standalone v2 binary is also called docker-compose). v1 exits 0 on
// unknown flags, so callers must gate v2-only flags on V2, never on an exit
// code.
func DetectCompose(ctx context.Context) (Compose, error) {
	var errs []error
	for _, argv := range [][]string{{"docker", "compose"}, {"docker-compose"}} {
		v, err := composeVersion(ctx, argv)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		return Compose{Argv: argv, V2: !strings.HasPrefix(v, "1."), Version: v}, nil
	}
	return Compose{}, fmt.Errorf("docker compose not found: %w", errors.Join(errs...))
}

func composeVersion(ctx context.Context, argv []string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	args := append(append([]string{}, argv[1:]...), "version", "--short")
	out, err := exec.CommandContext(ctx, argv[0], args...).Output()
	name := strings.Join(argv, " ")
	if err != nil {
		return "", fmt.Errorf("%s version: %w", name, err)
	}
	v := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	if v == "" || !strings.ContainsAny(v[:1], "0123456789") {
		return "", fmt.Errorf("%s version: unexpected output %q", name, firstLine(v))
	}
	return v, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
