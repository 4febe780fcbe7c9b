"""Application settings, read from the environment (docker-compose passes .env)."""
from typing import Optional
from urllib.parse import quote

from pydantic import BaseSettings

# The released version; bumped by each release commit.
VERSION = "1.2.2"


class Settings(BaseSettings):
    PROJECT_NAME: str = "Planner"
    VERSION: str = VERSION
    ENVIRONMENT: str = "development"
    LOG_LEVEL: str = "info"
    WEB_CONCURRENCY: Optional[int] = None

    SECRET_KEY: str
    ACCESS_TOKEN_EXPIRE_MINUTES: int = 60

    POSTGRES_USER: str = "planner_admin"
    POSTGRES_PASSWORD: str = ""
    POSTGRES_DB: str = "planner_production"
    DB_HOST: str = "127.0.0.1"
    DB_PORT: int = 5432

    REDIS_HOST: str = "127.0.0.1"
    REDIS_PORT: int = 6379
    REDIS_PASSWORD: Optional[str] = None

    @property
    def DATABASE_URL(self) -> str:
        return (
            f"postgresql+psycopg2://{quote(self.POSTGRES_USER)}:{quote(self.POSTGRES_PASSWORD)}"
            f"@{self.DB_HOST}:{self.DB_PORT}/{quote(self.POSTGRES_DB)}"
        )

    @property
    def DATABASE_TARGET(self) -> str:
        """Where the database is, without the password (for logs)."""
        return f"{self.POSTGRES_USER}@{self.DB_HOST}:{self.DB_PORT}/{self.POSTGRES_DB}"

    class Config:
        case_sensitive = True


settings = Settings()
