"""Sessions: cookie flags, no fixation or forged sessions, logout, login throttling,
`next=` open redirects, and the secret key coming only from the environment."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from moderation import create_app
from moderation.settings import load_settings
from moderation.storage import users
from tests.helpers import PASSWORD, write_config
from tests.security.conftest import login_as

STRONG_KEY = secrets.token_hex(32)  # production refuses a weak one

SECRET_ENV = "MODERATION_SECRET_KEY"


def password_login(client, name="admin", password=PASSWORD, **extra):
    """POST the login form."""
    return client.post("/login", data={"name": name, "password": password, **extra})


@pytest.fixture
def admin(db):
    """An admin with a real password."""
    return users.add_user(db, "admin", "admin", PASSWORD)


def session_cookie(response) -> str:
    """The Set-Cookie header of the session cookie."""
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))


def test_session_cookie_flags(client, admin):
    cookie = session_cookie(password_login(client))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http on the newsroom LAN outside production


def test_session_cookie_is_secure_in_production(tmp_path, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, STRONG_KEY)
    settings = load_settings(write_config(tmp_path, "[server]\nproduction = true\n"))
    from moderation.db import connect

    db = connect(settings.database_path)
    users.add_user(db, "admin", "admin", PASSWORD)
    app = create_app(settings, TESTING=True, WTF_CSRF_ENABLED=False)
    assert app.config["SECRET_KEY"] == STRONG_KEY
    assert "Secure" in session_cookie(password_login(app.test_client()))


def test_production_without_secret_key_refuses_to_start(tmp_path, monkeypatch):
    monkeypatch.delenv(SECRET_ENV, raising=False)
    settings = load_settings(write_config(tmp_path, "[server]\nproduction = true\n"))
    with pytest.raises(RuntimeError, match=SECRET_ENV):
        create_app(settings)


def test_serve_in_production_without_secret_key_says_why(tmp_path, monkeypatch):
    from moderation.cli import main

    monkeypatch.delenv(SECRET_ENV, raising=False)
    config = write_config(tmp_path, "[server]\nproduction = true\n")
    result = CliRunner().invoke(main, ["--config", str(config), "serve", "--no-scheduler"])
    assert result.exit_code != 0
    assert SECRET_ENV in (result.output + str(result.exception))


def test_login_starts_a_fresh_session(client, admin):
    with client.session_transaction() as session:
        session["planted"] = "before login"
        session["user_id"] = 999
    password_login(client)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["user_id"] == admin


def test_session_signed_with_another_key_is_refused(app, client, admin):
    forger = create_app(app.config["SETTINGS"], SECRET_KEY="not the key")
    forged = forger.session_interface.get_signing_serializer(forger).dumps({"user_id": admin})
    client.set_cookie("session", forged)
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_unsigned_session_is_refused(client, admin):
    client.set_cookie("session", f'{{"user_id": {admin}}}')
    assert client.get("/").status_code == 302


def test_logout_clears_the_session(client, admin):
    password_login(client)
    assert client.get("/").status_code == 200
    client.post("/logout")
    with client.session_transaction() as session:
        assert "user_id" not in session
    assert client.get("/").status_code == 302


def test_disabled_account_is_logged_out(client, db, world):
    login_as(client, world["users"]["editor"])
    users.set_disabled(db, world["users"]["editor"], True, actor="admin")
    assert client.get("/").status_code == 302


def test_login_throttled_by_name_and_address(client, admin, throttle_clock):
    for _ in range(3):  # [limits] login_free_failures
        assert password_login(client, password="wrong").status_code == 401
    response = password_login(client)  # even the right password must wait now
    assert response.status_code == 429
    assert "秒后再试" in response.get_data(as_text=True)
    other = client.application.test_client()
    response = other.post(
        "/login",
        data={"name": "admin", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert response.status_code == 302  # the same name from another address is not held up


def test_failures_on_other_names_do_not_lock_out_an_address(client, admin):
    """Issue 20: behind one proxy everyone shares an address; guessing other names from it
    must not lock out the newsroom."""
    for number in range(10):
        password_login(client, name=f"guess{number}", password="wrong")
    assert password_login(client).status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "http://evil.example",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\\/evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "%2F%2Fevil.example",
        "/%2F%2Fevil.example",
        "/%5Cevil.example",
        "\t//evil.example",
        "/\t/evil.example",
        "/\r\n/evil.example",
        "https:evil.example",
        "data:text/html,<script>alert(1)</script>",
        "evil.example",
    ],
)
def test_next_never_leaves_the_site(client, admin, target):
    response = password_login(client, next=target)
    assert response.status_code == 302
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc, location
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    assert not any(ord(char) < 32 for char in location)


def test_next_keeps_a_local_path(client, admin):
    response = password_login(client, next="/search?q=雪")
    assert response.headers["Location"].startswith("/search?q=")


def test_decision_next_never_leaves_the_site(client, world):
    login_as(client, world["users"]["admin"])
    url = f"/comments/{world['comment_id']}/approve"
    response = client.post(url, data={"next": "//evil.example/", "force": "1"})
    assert response.headers["Location"] == "/"
