"""Dashboard accounts: scrypt password hashes (werkzeug), login attempts for throttling."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from moderation.roles import ROLES
from moderation.timeutil import now_iso

MIN_PASSWORD_LENGTH = 8


@functools.cache
def _dummy_hash() -> str:
    """A real hash to check against when the user does not exist, so timing does not tell;
    made on first use, not at import (scrypt takes about 0.1 s)."""
    return generate_password_hash("not a password", method="scrypt")


class UserError(ValueError):
    """A user that cannot be created or changed as asked."""


def add_user(db, name: str, role: str, password: str) -> int:
    """Create an account; UserError explains a bad name, role, password or a duplicate."""
    name = name.strip()
    if not name or len(name) > 64 or any(ch.isspace() for ch in name):
        raise UserError("user name must be 1-64 characters without spaces")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    if get_user(db, name):
        raise UserError(f"user {name!r} exists already")
    return (
        db.table("users")
        .insert(
            {
                "name": name,
                "role": role,
                "password_hash": generate_password_hash(password, method="scrypt"),
                "created_at": now_iso(),
            }
        )
        .last_pk
    )


def get_user(db, name: str) -> dict | None:
    """An account by name, or None."""
    rows = list(db.query("SELECT * FROM users WHERE name = ?", [name]))
    return rows[0] if rows else None


def get_user_by_id(db, user_id: int) -> dict | None:
    """An account by id, or None."""
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    return rows[0] if rows else None


def list_users(db) -> list[dict]:
    """All accounts without their hashes."""
    return list(db.query("SELECT id, name, role, disabled, created_at FROM users ORDER BY name"))


def authenticate(db, name: str, password: str) -> dict | None:
    """The account if the password matches and the account is enabled, else None."""
    user = get_user(db, name)
    ok = check_password_hash(user["password_hash"] if user else _dummy_hash(), password)
    if user and ok and not user["disabled"]:
        return user
    return None


def record_attempt(db, name: str, address: str | None, ok: bool) -> None:
    """Remember a login attempt (throttling counts the failures)."""
    db.table("login_attempts").insert(
        {"name": name[:64], "address": address, "ok": int(ok), "at": now_iso()}
    )


def recent_failures(db, name: str, address: str | None, minutes: int) -> int:
    """Failed logins for this name or from this address in the last `minutes`."""
    since = (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat(timespec="seconds")
    return db.execute(
        "SELECT COUNT(*) FROM login_attempts "
        "WHERE ok = 0 AND at >= ? AND (name = ? OR address = ?)",
        [since, name[:64], address],
    ).fetchone()[0]


def set_role(db, user_id: int, role: str) -> None:
    """Change an account's role."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
    db.execute("UPDATE users SET role = ? WHERE id = ?", [role, user_id])


def set_disabled(db, user_id: int, disabled: bool) -> None:
    """Disable (the user is logged out on the next request) or re-enable an account."""
    db.execute("UPDATE users SET disabled = ? WHERE id = ?", [int(disabled), user_id])
