package doctor

import (
	"context"
	"fmt"
	"strings"

	"planner-tui/ops/host"
	"planner-tui/ops/postgres"
)

// Database connects with pgx as the status bar does and reports the
// server's version, the database's size and its alembic revision. The
// report is returned too: BackupDir wants the size.
func Database(ctx context.Context, cfg postgres.Config) (Check, postgres.Report) {
	const name = "database"
	r := postgres.Check(ctx, cfg, nil)
	where := fmt.Sprintf("%s@%s/%s", cfg.User, cfg.Addr(), cfg.Database)
	if !r.Reachable {
		return fail(name, where+": "+r.Err,
			"start the db service (docker-compose up -d db), or fix DB_HOST, DB_PORT, DB_USER, DB_NAME and POSTGRES_PASSWORD in .env"), r
	}
	detail := fmt.Sprintf("%s: PostgreSQL %s, %s", where, r.ServerVersion, host.Bytes(uint64(r.DBSize)))
	switch {
	case len(r.Revisions) > 1:
		return warn(name, detail+"; branched alembic heads: "+strings.Join(r.Revisions, ", "),
			"merge the heads (alembic merge) before deploying"), r
	case r.Revision == "":
		return warn(name, detail+"; no alembic revision (no alembic_version table: never migrated?)",
			"run the migrations (alembic upgrade head) or check DB_NAME"), r
	case r.Err != "":
		return warn(name, detail+", alembic revision "+r.Revision+"; "+r.Err, "see planner-tui op db-check"), r
	}
	return ok(name, detail+", alembic revision "+r.Revision), r
}
