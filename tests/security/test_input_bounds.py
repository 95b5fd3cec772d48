"""Issue 24's Low items on input: nesting, nan/inf and huge integers answer a clear 400 (or
a one-line refusal for the config file), never a 500."""

from __future__ import annotations

import io

import pytest

from moderation.declare import SettingsError
from moderation.rules.model import RuleError
from moderation.rules.toml_io import rule_from_toml, rules_from_toml
from moderation.settings import load_settings
from tests.helpers import write_config

DEEP = "x = " + "[" * 5000 + "]" * 5000 + "\n"
DEEP_TABLES = "[" + ".".join(["a"] * 5000) + "]\nx = 1\n"
HUGE = str(10**20)


@pytest.mark.parametrize("text", [DEEP, DEEP_TABLES, "x = " + "{a = " * 3000 + "1" + "}" * 3000])
def test_deeply_nested_toml_is_a_rule_error(text):
    with pytest.raises(RuleError, match="nested deeper"):
        rule_from_toml(text)
    with pytest.raises(RuleError, match="nested deeper"):
        rules_from_toml(text)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "+nan"])
def test_nan_and_inf_are_refused_in_rules(value):
    with pytest.raises(RuleError, match="not allowed"):
        rule_from_toml(f'name = "x"\naction = "hold"\n[when]\nsentiment_below = {value}\n')


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_nan_and_inf_are_refused_in_the_config(tmp_path, value):
    with pytest.raises(SettingsError, match="not allowed"):
        load_settings(write_config(tmp_path, f"[scoring]\nnegative_below = {value}\n"))


def test_a_deep_config_is_one_clear_error(tmp_path):
    with pytest.raises(SettingsError, match="nested deeper"):
        load_settings(write_config(tmp_path, DEEP_TABLES))


@pytest.fixture
def admin(auth):
    auth.login("admin")


@pytest.mark.parametrize("endpoint", ["/admin/rules/dry-run", "/admin/rules"])
def test_the_rule_editor_answers_400_to_deep_toml(client, admin, endpoint):
    response = client.post(endpoint, data={"source": DEEP})
    assert response.status_code == 400
    assert "nested deeper" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("endpoint", "page"), [("/admin/rules/import", "/admin/rules"), ("/admin/alerts/import", None)]
)
def test_toml_imports_refuse_deep_toml_and_say_so(client, admin, endpoint, page):
    data = {"file": (io.BytesIO(DEEP.encode()), "deep.toml")}
    response = client.post(endpoint, data=data, content_type="multipart/form-data")
    assert response.status_code in (302, 303, 400)
    followed = client.get(response.headers["Location"]) if response.status_code != 400 else response
    assert "nested deeper" in followed.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", f"/?before={HUGE}", None),
        ("get", f"/?before=-{HUGE}", None),
        ("get", f"/alerts?before={HUGE}", None),
        ("get", f"/admin/rules?edit={HUGE}", None),
        ("post", "/admin/rules/dry-run", {"source": 'name = "x"\naction = "hold"\n',
                                          "rule_id": HUGE}),
        ("post", "/admin/rules/dry-run", {"source": 'name = "x"\naction = "hold"\n',
                                          "position": HUGE, "limit": HUGE}),
        ("post", "/admin/rules", {"source": 'name = "x"\naction = "hold"\n', "position": HUGE}),
        ("post", "/admin/rules", {"source": 'name = "x"\naction = "hold"\n', "rule_id": HUGE}),
    ],
)  # fmt: skip
def test_integers_beyond_sqlite_are_a_400(client, admin, method, url, data):
    response = getattr(client, method)(url, data=data)
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code == 400:
        assert "数字超出范围" in response.get_data(as_text=True) or "规则" in response.get_data(
            as_text=True
        )


@pytest.mark.parametrize("url", [f"/alerts?before={HUGE}", f"/admin/rules?edit={HUGE}"])
def test_a_number_sqlite_cannot_hold_is_a_400_in_chinese(client, admin, url):
    response = client.get(url)
    assert response.status_code == 400  # was a 500: OverflowError binding it
    assert "数字超出范围" in response.get_data(as_text=True)


def test_duplicate_rule_names_are_refused_on_import():
    rule = '[[rules]]\nname = "新用户含链接"\naction = "hold"\nqueue = "新用户"\n'
    other = '[[rules]]\nname = "别的规则"\naction = "hold"\nqueue = "新用户"\n'
    with pytest.raises(RuleError, match="第 3 条规则：名称“新用户含链接”与第 1 条重复"):
        rules_from_toml(rule + other + rule)


def test_duplicate_rule_names_leave_the_rule_set_as_it_was(client, admin, db):
    before = db.execute("SELECT COUNT(*) FROM rules").fetchone()[0]
    rule = '[[rules]]\nname = "同名"\naction = "hold"\nqueue = "新用户"\n'
    response = client.post("/admin/rules/import", data={"toml": rule * 2})
    assert "名称“同名”与第 1 条重复" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert db.execute("SELECT COUNT(*) FROM rules").fetchone()[0] == before
