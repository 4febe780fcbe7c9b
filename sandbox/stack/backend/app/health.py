"""Health: database, redis and the schema revision compared with the code's head."""
import logging
from typing import Optional

import redis
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from app.core.config import settings
from app.db.session import engine

log = logging.getLogger("planner.health")


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(Config("alembic.ini"))


def code_head() -> Optional[str]:
    """The alembic head revision shipped with this code."""
    return _scripts().get_current_head()


def migration_state(current: Optional[str], head: Optional[str]) -> str:
    """'up to date', 'pending' (upgrade head needed) or 'unknown revision'
    (the database was migrated by newer code, e.g. after a code-only rollback)."""
    if current == head:
        return "up to date"
    if current is None:
        return "pending"
    try:
        known = _scripts().get_revision(current) is not None
    except Exception:
        known = False
    return "pending" if known else "unknown revision"


def db_revision() -> Optional[str]:
    """The database's alembic revision; None when it was never migrated."""
    with engine.connect() as conn:
        if conn.execute(text("SELECT to_regclass('public.alembic_version')")).scalar() is None:
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def redis_ping() -> bool:
    client = redis.Redis(
        host=settings.REDIS_HOST,
        port=settings.REDIS_PORT,
        password=settings.REDIS_PASSWORD,
        socket_timeout=2,
        socket_connect_timeout=2,
    )
    try:
        return bool(client.ping())
    finally:
        client.close()


def check() -> dict:
    result = {"status": "ok", "version": settings.VERSION, "environment": settings.ENVIRONMENT}
    try:
        result["database"] = "ok"
        current = db_revision()
        head = code_head()
        result["migrations"] = {
            "current": current,
            "head": head,
            "state": migration_state(current, head),
        }
    except Exception as exc:  # report, do not crash the probe
        log.error("health: database check failed: %s", exc.__class__.__name__)
        result["database"] = f"error: {exc.__class__.__name__}"
        result["status"] = "error"
    try:
        redis_ping()
        result["redis"] = "ok"
    except Exception as exc:
        log.error("health: redis check failed: %s", exc.__class__.__name__)
        result["redis"] = f"error: {exc.__class__.__name__}"
        result["status"] = "error"
    return result
