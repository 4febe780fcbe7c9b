"""Planner API: FastAPI application served by uvicorn."""
import logging

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from app import health
from app.api.v1 import auth, programs
from app.core.config import settings

logging.basicConfig(
    level=settings.LOG_LEVEL.upper(),
    format="%(asctime)s %(levelname)s [%(name)s] %(message)s",
)
log = logging.getLogger("planner")


class _QuietHealthProbes(logging.Filter):
    """Drop access-log lines for successful GET /health (the healthcheck runs every 2 s)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 5:
            return not (args[1] == "GET" and args[2] == "/health" and args[4] == 200)
        return True


logging.getLogger("uvicorn.access").addFilter(_QuietHealthProbes())

app = FastAPI(title=settings.PROJECT_NAME, version=settings.VERSION)
app.include_router(auth.router, prefix="/api/v1/auth", tags=["auth"])
app.include_router(programs.router, prefix="/api/v1/programs", tags=["programs"])


@app.on_event("startup")
def startup() -> None:
    log.info("planner %s starting (environment=%s)", settings.VERSION, settings.ENVIRONMENT)
    log.info("database %s, redis %s:%s", settings.DATABASE_TARGET, settings.REDIS_HOST, settings.REDIS_PORT)
    if not settings.WEB_CONCURRENCY or settings.WEB_CONCURRENCY < 2:
        log.warning("running a single worker process (WEB_CONCURRENCY=%s); one slow request blocks others",
                    settings.WEB_CONCURRENCY)
    try:
        current, head = health.db_revision(), health.code_head()
    except Exception as exc:
        log.error("database not reachable at startup: %s", exc.__class__.__name__)
        return
    state = health.migration_state(current, head)
    if state == "pending":
        log.warning("database schema at revision %s but this code expects %s: run `alembic upgrade head`",
                    current, head)
    elif state == "unknown revision":
        log.warning("database schema at revision %s, which this code does not know (head %s): "
                    "it was migrated by a newer release", current, head)
    else:
        log.info("database schema at revision %s (head)", current)


@app.get("/health")
def get_health():
    result = health.check()
    return JSONResponse(result, status_code=200 if result["status"] == "ok" else 503)
