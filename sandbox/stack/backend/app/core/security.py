"""Password hashing (PBKDF2-SHA256) and signed bearer tokens (JWT, HS256)."""
import base64
import hashlib
import hmac
import json
import os
import time
from typing import Optional

from app.core.config import settings

_ITERATIONS = 120_000


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _ITERATIONS)
    return f"pbkdf2_sha256${_ITERATIONS}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    got = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iterations))
    return hmac.compare_digest(got.hex(), digest)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(signing_input: str) -> str:
    return _b64(hmac.new(settings.SECRET_KEY.encode(), signing_input.encode(), hashlib.sha256).digest())


def create_access_token(subject: str) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    now = int(time.time())
    payload = _b64(
        json.dumps({"sub": subject, "iat": now, "exp": now + settings.ACCESS_TOKEN_EXPIRE_MINUTES * 60}).encode()
    )
    return f"{header}.{payload}.{_sign(header + '.' + payload)}"


def decode_access_token(token: str) -> Optional[str]:
    """The token's subject, or None when it is malformed, forged or expired."""
    try:
        header, payload, signature = token.split(".")
        if not hmac.compare_digest(signature, _sign(header + "." + payload)):
            return None
        claims = json.loads(_unb64(payload))
    except (ValueError, json.JSONDecodeError):
        return None
    if int(claims.get("exp", 0)) < time.time():
        return None
    return claims.get("sub")
