"""Issue 24's Low items on accounts: a per-account login throttle beside the per-address
one, and user names that only look like another (Cyrillic а, Greek ο) refused."""

from __future__ import annotations

import pytest

from moderation.storage import users
from tests.helpers import PASSWORD


def attempt(client, address: str, password: str = "wrong"):
    return client.post(
        "/login",
        data={"name": "chief", "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_many_addresses_cannot_share_out_the_guesses_for_one_account(
    client, db, settings, throttle_clock
):
    users.add_user(db, "chief", "admin", PASSWORD)
    free = settings.limits.login_account_free_failures
    checked = 0
    for number in range(20):  # 20 addresses × 4 tries each checked 60 passwords before
        for _ in range(4):
            if attempt(client, f"10.0.0.{number}").status_code == 401:
                checked += 1
    assert checked == free
    answer = attempt(client, "10.0.1.1", PASSWORD)  # a fresh address: the account waits
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) >= 1


def test_the_account_count_forgives_a_colleague_once_they_log_in(client, db, settings):
    users.add_user(db, "chief", "admin", PASSWORD)
    for number in range(settings.limits.login_account_free_failures - 1):
        assert attempt(client, f"10.0.0.{number}").status_code == 401
    assert attempt(client, "10.0.2.2", PASSWORD).status_code == 302
    assert attempt(client, "10.0.3.3").status_code == 401  # counting starts again


@pytest.mark.parametrize(
    "name",
    [
        "аdmin",  # Cyrillic а
        "adminο",  # Greek ο
        "wаng编辑",  # Cyrillic inside a Latin and Han name
        "ＡＤＭＩＮ",  # full-width forms of an existing name
    ],
)
def test_names_that_only_look_like_another_are_refused(db, name):
    users.add_user(db, "admin", "admin", PASSWORD)
    users.add_user(db, "wang编辑", "moderator", PASSWORD)
    with pytest.raises(ValueError):
        users.add_user(db, name, "moderator", PASSWORD)


@pytest.mark.parametrize("name", ["王编辑", "li_lei", "mod-2", "Зоя"])  # one script each: fine
def test_ordinary_names_are_accepted(db, name):
    users.add_user(db, name, "moderator", PASSWORD)
    assert users.get_user(db, users.normalize_name(name)) is not None
