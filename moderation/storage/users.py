"""Dashboard accounts: scrypt password hashes (werkzeug), names that cannot be mistaken for
one another, session versions and the audit of account changes, login attempts."""

from __future__ import annotations

import functools
import unicodedata

from werkzeug.security import check_password_hash, generate_password_hash

from moderation.roles import ROLES
from moderation.timeutil import now_iso

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # the login form reads no more: a longer one could never log in
MIN_DISTINCT_CHARACTERS = 4
MAX_NAME_LENGTH = 64


@functools.cache
def _dummy_hash() -> str:
    """A real hash to check against when the user does not exist, so timing does not tell;
    made on first use, not at import (scrypt takes about 0.1 s)."""
    return generate_password_hash("not a password", method="scrypt")


class UserError(ValueError):
    """A user that cannot be created or changed as asked."""


def normalize_name(name: str) -> str:
    """A user name as stored and looked up: NFKC (full-width letters become ASCII), trimmed."""
    return unicodedata.normalize("NFKC", name).strip()


# Cyrillic and Greek letters drawn like Latin ones: "аdmin" (Cyrillic а) reads as admin.
_LOOK_ALIKE = str.maketrans(
    "аеорсухіјѕԁһӏкмнтвАВЕКМНОРСТХЅІЈαεικνορτυχβζηΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdhlkmhtbABEKMHOPCTXSIJaeikvoptuxbznABEZHIKMNOPTYX",
)
_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def name_key(name: str) -> str:
    """What two names must not share: the same name up to case, width and letters that
    look alike across scripts."""
    return normalize_name(name).translate(_LOOK_ALIKE).casefold()


def _scripts(name: str) -> set[str]:
    """The alphabetic scripts (Latin, Cyrillic, Greek) a name's letters come from."""
    found = set()
    for char in name:
        if char.isalpha():
            script = unicodedata.name(char, "").split(" ")[0]
            if script in _SCRIPTS:
                found.add(script)
    return found


def check_name(db, name: str) -> str:
    """The normalised name; UserError if it is empty, too long, has spaces or control or
    invisible characters, mixes Latin, Cyrillic or Greek letters, or differs from an
    existing name only by case, width or letters that look alike."""
    name = normalize_name(name)
    if not name or len(name) > MAX_NAME_LENGTH:
        raise UserError(f"user name must be 1-{MAX_NAME_LENGTH} characters")
    if any(ch.isspace() or unicodedata.category(ch).startswith(("C", "Z")) for ch in name):
        raise UserError("user name must not contain spaces, control or invisible characters")
    if len(_scripts(name)) > 1:  # wаng (Cyrillic а) passes for wang on every screen
        raise UserError(f"user name {name!r} mixes Latin, Cyrillic or Greek letters")
    key = name_key(name)
    for (existing,) in db.execute("SELECT name FROM users"):
        if name_key(existing) == key:
            if existing == name:
                raise UserError(f"user {name!r} exists already")
            raise UserError(f"user name {name!r} is too like the existing {existing!r}")
    return name


def check_password(password: str) -> None:
    """UserError for a password that is too short, too long or nearly all one character."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise UserError(
            f"password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters"
        )
    if len(set(password.strip())) < MIN_DISTINCT_CHARACTERS:
        raise UserError(
            f"password must have at least {MIN_DISTINCT_CHARACTERS} different characters "
            "besides spaces"
        )


CLI_ACTOR = "命令行"  # who created an account from `moderation user add` or the first start


def add_user(db, name: str, role: str, password: str, actor: str = CLI_ACTOR) -> int:
    """Create an account (recorded in the account changes with who created it); UserError
    explains a bad name, role, password or a duplicate."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
    check_password(password)
    with db.atomic():
        name = check_name(db, name)
        user_id = (
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
        _changed(db, user_id, actor, "created", role)
        return user_id


def get_user(db, name: str) -> dict | None:
    """An account by name, or None."""
    rows = list(db.query("SELECT * FROM users WHERE name = ?", [normalize_name(name)]))
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
    if len(password) > MAX_PASSWORD_LENGTH:
        password = ""  # no stored password is this long: fail after the same work
    ok = check_password_hash(user["password_hash"] if user else _dummy_hash(), password)
    if user and ok and not user["disabled"]:
        return user
    return None


def record_attempt(db, name: str, address: str | None, ok: bool) -> None:
    """Remember a login attempt (throttling counts the failures)."""
    db.table("login_attempts").insert(
        {"name": name[:64], "address": address, "ok": int(ok), "at": now_iso()}
    )


def set_role(db, user_id: int, role: str, actor: str) -> None:
    """Change an account's role (its sessions end: it logs in again with the new role)."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
    with db.atomic():
        db.execute("UPDATE users SET role = ? WHERE id = ?", [role, user_id])
        _changed(db, user_id, actor, "role", role)


def set_disabled(db, user_id: int, disabled: bool, actor: str) -> None:
    """Disable (every session ends at once) or re-enable an account."""
    with db.atomic():
        db.execute("UPDATE users SET disabled = ? WHERE id = ?", [int(disabled), user_id])
        _changed(db, user_id, actor, "disable" if disabled else "enable")


def set_password(db, user_id: int, password: str, actor: str, action: str) -> None:
    """Store a new password (`action`: "password_change" by the user, "password_reset" by
    an admin), ending every session of the account."""
    check_password(password)
    password_hash = generate_password_hash(password, method="scrypt")
    with db.atomic():
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [password_hash, user_id])
        _changed(db, user_id, actor, action)


def end_sessions(db, user_id: int) -> None:
    """End every session of the account (logout does this: a saved cookie is worthless)."""
    db.execute("UPDATE users SET session_version = session_version + 1 WHERE id = ?", [user_id])


def _changed(db, user_id: int, actor: str, action: str, detail: str | None = None) -> None:
    end_sessions(db, user_id)
    db.execute(
        "INSERT INTO account_events (user_id, actor, action, detail, at) VALUES (?, ?, ?, ?, ?)",
        [user_id, actor, action, detail, now_iso()],
    )


def account_events(db, user_id: int) -> list[dict]:
    """The audit of an account: role, password and state changes, newest first."""
    return list(
        db.query(
            "SELECT actor, action, detail, at FROM account_events WHERE user_id = ? "
            "ORDER BY id DESC",
            [user_id],
        )
    )


def recent_account_events(db, limit: int = 30) -> list[dict]:
    """The newest account changes of all users, with the account's name."""
    return list(
        db.query(
            "SELECT u.name, e.actor, e.action, e.detail, e.at FROM account_events e "
            "JOIN users u ON u.id = e.user_id ORDER BY e.id DESC LIMIT ?",
            [limit],
        )
    )
