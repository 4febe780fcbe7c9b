package session

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"time"

	"planner-tui/ops/audit"
	"planner-tui/ops/compose"
)

// composeSetup is how the runbook's `docker-compose` lines run on this
// host (see ops/compose): decided once per session, on the first command,
// because it runs `version` of the tools found.
type composeSetup struct {
	once sync.Once
	dec  compose.Decision
	err  error
}

// decide is the decision, made on the first call; shimDir is where the
// shim goes if it is needed.
func (c *composeSetup) decide(shimDir string) (compose.Decision, error) {
	c.once.Do(func() {
		mode := os.Getenv(compose.EnvMode)
		// The common case costs no process: a docker-compose on PATH in
		// auto mode is used as it is.
		if (mode == "" || mode == "auto") && compose.OnPath("docker-compose") {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		c.dec, c.err = compose.Decide(mode, compose.Detect(ctx, ""), shimDir)
	})
	return c.dec, c.err
}

// Compose says how the runbook's docker-compose lines run here: through
// the plugin's shim (Decision.ShimDir, with a note for the operator) or as
// they are. It may run `docker compose version`: call it off the UI loop.
func (s *Session) Compose() (compose.Decision, error) {
	return s.compose.decide(filepath.Join(s.store.Dir, "bin"))
}

// composePath puts the shim first on a step's PATH when it is in use
// (admit has checked the decision; mu is held), and the first time audits
// the note, so the record says what ran.
func (s *Session) composePath(path string) string {
	dec, err := s.Compose()
	if err != nil || dec.ShimDir == "" {
		return path
	}
	s.composeNoted.Do(func() {
		s.record(audit.Record{Event: "compose.shim", RunID: s.run.ID, Message: dec.Note})
	})
	return dec.ShimDir + string(os.PathListSeparator) + path
}
