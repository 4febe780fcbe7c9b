package changes

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"

	"planner-tui/ops/fsutil"
)

// Cached renders through R once per key and current revision and keeps the
// result in Dir: the SQL alembic renders offline is a function of the
// migration scripts (Key names their git tree) and the start revision, and a
// one-off container costs seconds (the whole image is copied on vfs). Errors
// are never kept; a Dir that cannot be written only means no keeping.
type Cached struct {
	Dir   string
	Key   string // what identifies the code rendered: the alembic dir's git tree, project, service
	R     Renderer
	Fresh bool // render again (the result is still stored)
	Hit   bool // set by PendingSQL: the result came from Dir
	// Keep, when set, is asked after rendering whether the key still
	// holds (the image was not rebuilt meanwhile); false keeps nothing.
	Keep func(ctx context.Context) bool
}

type cachedSQL struct {
	Key     string `json:"key"`
	Current string `json:"current"`
	SQL     string `json:"sql"`
	Log     string `json:"log"`
}

func (c *Cached) file(current string) string {
	h := sha256.Sum256([]byte(c.Key + "\x00" + current))
	return filepath.Join(c.Dir, hex.EncodeToString(h[:16])+".json")
}

func (c *Cached) PendingSQL(ctx context.Context, current string) (string, string, error) {
	c.Hit = false
	f := c.file(current)
	if !c.Fresh {
		if b, err := os.ReadFile(f); err == nil {
			var e cachedSQL
			if json.Unmarshal(b, &e) == nil && e.Key == c.Key && e.Current == current {
				c.Hit = true
				return e.SQL, e.Log, nil
			}
		}
	}
	sql, log, err := c.R.PendingSQL(ctx, current)
	if err != nil {
		return sql, log, err
	}
	if c.Keep != nil && !c.Keep(ctx) {
		return sql, log, nil
	}
	// Keeping it is best effort: a state dir that cannot be written costs
	// the next plan a container, not this one its SQL.
	if b, err := json.Marshal(cachedSQL{Key: c.Key, Current: current, SQL: sql, Log: log}); err == nil {
		if os.MkdirAll(c.Dir, 0o700) == nil {
			_ = fsutil.WriteFileAtomic(f, b, 0o600)
		}
	}
	return sql, log, nil
}
