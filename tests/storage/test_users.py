"""Account names that cannot be mistaken for one another, and passwords that can be typed
and can log in (issue 20, item 6)."""

from __future__ import annotations

import pytest

from moderation.storage import users
from tests.helpers import PASSWORD


@pytest.mark.parametrize(
    "name, message",
    [
        ("li\x00na", "控制字符"),
        ("li\u200bna", "控制字符"),  # zero-width space
        ("li\u202ena", "控制字符"),  # right-to-left override
        ("li\tna", "控制字符"),
        ("LiNa", "与已有的“lina”过于相似"),
        ("ｌｉｎａ", "已存在"),  # full width: NFKC makes it 'lina'
        ("ＬＩＮＡ", "与已有的“lina”过于相似"),
        ("x" * 65, "1 到 64 个字符"),
    ],
)
def test_names_with_controls_or_look_alikes_are_refused(db, name, message):
    users.add_user(db, "lina", "editor", PASSWORD)
    with pytest.raises(users.UserError, match=message):
        users.add_user(db, name, "editor", PASSWORD)
    assert db.table("users").count == 1


def test_names_are_stored_normalised_and_found_either_way(db):
    users.add_user(db, "ｗａｎｇ５", "editor", PASSWORD)
    assert [u["name"] for u in users.list_users(db)] == ["wang5"]
    assert users.authenticate(db, "ｗａｎｇ５", PASSWORD)["name"] == "wang5"
    users.add_user(db, "王小明", "editor", PASSWORD)  # Chinese names are fine
    assert users.get_user(db, "王小明") is not None


@pytest.mark.parametrize(
    "password, message",
    [
        (" " * 8, "至少要有 4 个不同的字符"),
        ("aaaaaaaa", "至少要有 4 个不同的字符"),
        ("ab ab ab ab", "至少要有 4 个不同的字符"),
        ("short", "8 到 1024"),
        ("x1y2" * 257, "8 到 1024"),  # 1,028 characters: the login form reads 1,024
    ],
)
def test_unusable_passwords_are_refused(db, password, message):
    with pytest.raises(users.UserError, match=message):
        users.add_user(db, "lina", "editor", password)


def test_the_longest_password_allowed_can_log_in(db, client):
    password = "长密码x" * 256  # 1,024 characters
    users.add_user(db, "lina", "editor", password)
    response = client.post("/login", data={"name": "lina", "password": password})
    assert response.status_code == 302
    longer = client.application.test_client().post(
        "/login", data={"name": "lina", "password": password + "!"}
    )
    assert longer.status_code == 401  # not silently cut to the stored one
