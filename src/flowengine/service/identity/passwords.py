"""Passwords: one policy for choosing, changing and resetting them, and Argon2id for keeping them.

Only the hash is stored (argon2-cffi's RFC 9106 parameters; an existing hash verifies with the parameters
it was made with). The test suite sets ``FLOWENGINE_TEST_FAST_PASSWORD_HASHING`` (read by
:class:`flowengine.config.Settings`): every login and created user there would otherwise spend ~0.1 s of CPU
in Argon2 (64 MiB, 3 passes), which adds minutes to a run. Never set it in a deployment.
"""

from __future__ import annotations

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from flowengine.config import Settings

MIN_PASSWORD_LENGTH = 8

_hasher = (
    PasswordHasher.from_parameters(profiles.CHEAPEST)
    if Settings.from_env().fast_password_hashing
    else PasswordHasher()
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, username: str, display_name: str) -> str | None:
    """Why a new password is not acceptable, or None: one rule for choosing, changing and resetting."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return f"密码至少 {MIN_PASSWORD_LENGTH} 位"
    if password.strip().lower() in (username.strip().lower(), display_name.strip().lower()):
        return "密码不能与用户名或姓名相同"
    return None
