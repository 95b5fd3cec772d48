"""Login, logout, throttling, role checks and the `next=` redirect."""

import pytest

from moderation.roles import may
from moderation.storage import users
from tests.helpers import PASSWORD


def test_pages_need_login(client):
    response = client.get("/approved")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/approved")
    assert client.post("/comments/1/approve").status_code == 401


def test_login_and_logout(client, auth):
    auth.login("moderator")
    assert client.get("/").status_code == 200
    auth.logout()
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused(client, db):
    users.add_user(db, "mod", "moderator", PASSWORD)
    response = client.post("/login", data={"name": "mod", "password": "nope"})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_login_is_throttled_after_repeated_failures(client, db, throttle_clock):
    users.add_user(db, "mod", "moderator", PASSWORD)
    for _ in range(3):  # [limits] login_free_failures
        client.post("/login", data={"name": "mod", "password": "wrong"})
    response = client.post("/login", data={"name": "mod", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/approved", "/approved"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_never_redirects_off_site(client, db, target, expected):
    users.add_user(db, "mod", "moderator", PASSWORD)
    response = client.post("/login", data={"name": "mod", "password": PASSWORD, "next": target})
    assert response.headers["Location"] == expected


def test_role_below_required_is_forbidden(client, auth):
    auth.login("moderator")
    assert client.get("/editions/").status_code == 403


def test_session_cookie_flags(client, db):
    users.add_user(db, "mod", "moderator", PASSWORD)
    response = client.post("/login", data={"name": "mod", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_disabled_user_is_logged_out(client, auth, db):
    auth.login("moderator", name="mod")
    db.execute("UPDATE users SET disabled = 1 WHERE name = 'mod'")
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "role, required, allowed",
    [
        ("moderator", "editor", False),
        ("editor", "moderator", True),
        ("chief_editor", "chief_editor", True),
        ("admin", "chief_editor", True),
        ("nobody", "moderator", False),
    ],
)
def test_role_order(role, required, allowed):
    assert may(role, required) is allowed


def test_user_add_validates(db):
    with pytest.raises(users.UserError, match="8 到 1024 个字符"):
        users.add_user(db, "x", "editor", "short")
    with pytest.raises(users.UserError, match="未知角色"):
        users.add_user(db, "x", "boss", PASSWORD)
    users.add_user(db, "x", "editor", PASSWORD)
    with pytest.raises(users.UserError, match="已存在"):
        users.add_user(db, "x", "editor", PASSWORD)
    stored = users.get_user(db, "x")["password_hash"]
    assert stored.startswith("scrypt:") and PASSWORD not in stored


def test_admin_user_form_errors_are_in_chinese(client, auth, db):
    auth.login("admin")
    for form, said in [
        ({"name": "lina", "role": "editor", "password": "short"}, "密码应为 8 到 1024 个字符"),
        ({"name": "li na", "role": "editor", "password": "a long passphrase"}, "用户名不能含空格"),
    ]:
        page = client.post("/admin/users", data=form, follow_redirects=True)
        text = page.get_data(as_text=True)
        assert f"无法创建用户：{said}" in text and "must" not in text
