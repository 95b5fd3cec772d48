"""Sessions that end and a throttle that does not lock out the newsroom (issue 20, items 3
and 4), no-store on logged-in pages and a /healthz that names no host (item 6)."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta

import pytest

from moderation import create_app
from moderation.storage import users
from tests.helpers import PASSWORD

NEW_PASSWORD = "another good passphrase"


def login(client, name="mod", password=PASSWORD, address="127.0.0.1"):
    """POST the login form from `address`."""
    return client.post(
        "/login",
        data={"name": name, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def saved_cookie(client) -> str:
    """The session cookie as a browser (or a thief) would have saved it."""
    return client.get_cookie("session").value


def replay(app, cookie: str):
    """A second client presenting a saved session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


@pytest.fixture
def mod(db):
    return users.add_user(db, "mod", "moderator", PASSWORD)


@pytest.fixture
def admin_client(app, db):
    """A client logged in as an admin."""
    users.add_user(db, "boss", "admin", PASSWORD)
    client = app.test_client()
    assert login(client, "boss").status_code == 302
    return client


def test_a_cookie_saved_before_logout_is_worthless_after_it(app, client, mod):
    login(client)
    cookie = saved_cookie(client)
    assert replay(app, cookie).get("/").status_code == 200
    client.post("/logout")
    thief = replay(app, cookie)
    assert thief.get("/").status_code == 302
    assert thief.post("/comments/1/reject").status_code == 401


def test_own_password_change_ends_other_sessions_and_is_audited(app, client, db, mod):
    login(client)
    other_device = replay(app, saved_cookie(client))
    response = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session goes on
    assert other_device.get("/").status_code == 302
    assert login(app.test_client(), password=PASSWORD).status_code == 401
    assert login(app.test_client(), password=NEW_PASSWORD).status_code == 302
    assert [e["action"] for e in users.account_events(db, mod)] == ["password_change", "created"]


@pytest.mark.parametrize(
    "form, message",
    [
        ({"current": "wrong", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}, "当前密码不正确"),
        ({"current": PASSWORD, "new": NEW_PASSWORD, "confirm": "other"}, "不一致"),
        ({"current": PASSWORD, "new": " " * 8, "confirm": " " * 8}, "不符合要求"),
    ],
)
def test_own_password_change_refusals_are_explained(client, mod, form, message):
    login(client)
    response = client.post("/account/password", data=form, follow_redirects=True)
    assert response.request.path == "/account/password"
    assert message in response.get_data(as_text=True)
    assert login(client.application.test_client()).status_code == 302  # password unchanged


@pytest.mark.parametrize(
    "path, form, action",
    [
        ("password", {"password": NEW_PASSWORD}, "password_reset"),
        ("role", {"role": "editor"}, "role"),
        ("disable", {}, "disable"),
    ],
)
def test_admin_changes_end_the_accounts_sessions(app, db, mod, admin_client, path, form, action):
    victim = app.test_client()
    login(victim)
    assert victim.get("/").status_code == 200
    assert admin_client.post(f"/admin/users/{mod}/{path}", data=form).status_code == 302
    assert victim.get("/").status_code == 302
    event = users.account_events(db, mod)[0]
    assert (event["action"], event["actor"]) == (action, "boss")
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert "<title>用户管理 · " in page
    listed = page[page.index("<h2>账户变更记录</h2>") :]
    assert "boss" in listed and "mod" in listed


def test_session_ends_after_its_absolute_lifetime_however_active(client, mod, settings):
    login(client)
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        session["born"] -= settings.limits.session_hours * 3600 + 1
    assert client.get("/").status_code == 302


def test_session_without_login_time_is_refused(client, mod):
    with client.session_transaction() as session:
        session.update(user_id=mod, v=0)  # a cookie of the old shape
    assert client.get("/").status_code == 302


def test_logged_in_pages_are_never_cached(client, mod):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    login(client)
    for path in ("/", "/channels", "/account/password"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_healthz_names_no_host_or_process(client, db):
    db.execute(
        "INSERT INTO scheduler_lease (name, holder, acquired_at, expires_at) "
        "VALUES ('scheduler', 'newsroom-host:4242:scheduler', '2024-01-01T00:00:00+00:00', "
        "'2099-01-01T00:00:00+00:00')"
    )
    body = client.get("/healthz").get_data(as_text=True)
    assert "newsroom-host" not in body and "4242" not in body
    assert '"scheduler"' in body


# The throttle (item 4)


def test_failed_logins_slow_only_that_name_at_that_address(app, client, db, mod, throttle_clock):
    users.add_user(db, "colleague", "moderator", PASSWORD)
    for _ in range(5):
        login(client, password="wrong")
    assert login(client).status_code == 429  # the guessed name waits, even with its password
    assert login(app.test_client(), "colleague").status_code == 302  # same address
    assert login(app.test_client(), address="10.0.0.7").status_code == 302  # same name


def test_the_delay_grows_with_each_failure(db, mod):
    from moderation.storage import login_throttle

    # Attempts a tenth of a second apart, on a fixed clock: a loaded machine that paused 2 s
    # between two calls had used up the whole wait (0 < waits[3] failed).
    start = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)
    waits = []
    for n in range(6):
        moment = start + timedelta(seconds=n / 10)
        waits.append(login_throttle.admit(db, "mod", "10.0.0.1", 3, 900, now=moment))
    assert waits[:3] == [0.0, 0.0, 0.0] and waits[3:] == pytest.approx([1.9, 1.8, 1.7])
    assert login_throttle.delay_seconds(5, 3, 900) == 8
    assert login_throttle.delay_seconds(30, 3, 900) == 900


def _seconds_ago(seconds: float) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat()


def test_a_burst_of_parallel_attempts_checks_no_more_passwords_than_allowed(
    app, db, mod, throttle_clock
):
    """30 attempts at once: each is counted before its password is checked, so only the
    free ones reach the password check (the attack got 9 checks against a limit of 5)."""
    start = threading.Barrier(30)
    codes = []

    def attempt():
        client = app.test_client()
        start.wait()
        codes.append(login(client, password="wrong").status_code)

    threads = [threading.Thread(target=attempt) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    checked = db.execute("SELECT COUNT(*) FROM login_attempts").fetchone()[0]
    assert checked == app.config["SETTINGS"].limits.login_free_failures
    assert sorted(codes) == [401] * checked + [429] * (30 - checked)


@pytest.mark.parametrize("proxies, separate", [(0, False), (1, True)])
def test_forwarded_addresses_count_only_behind_trusted_proxies(
    settings, db, mod, proxies, separate, throttle_clock
):
    limits = dataclasses.replace(settings.limits, trusted_proxies=proxies)
    app = create_app(
        dataclasses.replace(settings, limits=limits),
        TESTING=True,
        WTF_CSRF_ENABLED=False,
        SECRET_KEY="test",
    )

    def from_client(address: str, password: str):
        return app.test_client().post(
            "/login",
            data={"name": "mod", "password": password},
            headers={"X-Forwarded-For": address},
        )

    for _ in range(4):
        from_client("203.0.113.5", "wrong")
    other_reader = from_client("198.51.100.7", PASSWORD).status_code
    assert other_reader == (302 if separate else 429)


def test_throttle_state_is_forgotten_after_a_day(db, mod):
    from moderation.storage import login_throttle

    db.execute("INSERT INTO login_throttle VALUES ('mod', 'a', 50, ?)", [_seconds_ago(25 * 3600)])
    assert login_throttle.admit(db, "mod", "a", 3, 900) == 0
    assert db.execute("SELECT failures FROM login_throttle").fetchone()[0] == 1
