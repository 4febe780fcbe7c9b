"""POST /api/v1/auth/login: username and password in, bearer token out."""
import logging

from fastapi import APIRouter, Depends, HTTPException, Request, status
from sqlalchemy.orm import Session

from app.core.config import settings
from app.core.security import create_access_token, verify_password
from app.db.session import get_db
from app.models import User
from app.schemas import LoginRequest, Token

router = APIRouter()
log = logging.getLogger("planner.auth")


@router.post("/login", response_model=Token)
def login(body: LoginRequest, request: Request, db: Session = Depends(get_db)) -> Token:
    user = db.query(User).filter(User.username == body.username).first()
    if user is None or not user.is_active or not verify_password(body.password, user.password_hash):
        client = request.client.host if request.client else "?"
        log.warning("login failed for user %r from %s", body.username, client)
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    log.info("login ok for user %r", user.username)
    return Token(
        access_token=create_access_token(user.username),
        expires_in=settings.ACCESS_TOKEN_EXPIRE_MINUTES * 60,
    )
