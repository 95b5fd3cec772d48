"""Issue 24 item 7: a weak or short secret key is refused whenever it is given, not only with
`production = true` (with MODERATION_SECRET_KEY=changeme an admin session was forged in 17
guesses); with none given, a random one is generated once and kept."""

from __future__ import annotations

import secrets

import pytest
from click.testing import CliRunner

from moderation import create_app
from moderation.cli import main
from moderation.secret_keys import HOW_TO_GENERATE
from moderation.settings import load_settings
from tests.helpers import write_config

SECRET_ENV = "MODERATION_SECRET_KEY"


@pytest.mark.parametrize("key", ["changeme", "secret", "short-key", "x" * 64, "a1" * 16])
@pytest.mark.parametrize("production", [False, True])
def test_a_weak_key_is_refused_in_development_too(tmp_path, monkeypatch, key, production):
    monkeypatch.setenv(SECRET_ENV, key)
    extra = "[server]\nproduction = true\n" if production else ""
    settings = load_settings(write_config(tmp_path, extra))
    with pytest.raises(RuntimeError, match=f"{SECRET_ENV} is too weak") as error:
        create_app(settings)
    assert HOW_TO_GENERATE in str(error.value)
    assert key not in str(error.value).replace(HOW_TO_GENERATE, "")


def test_serve_with_a_weak_key_in_development_exits_2_with_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "changeme")
    config = write_config(tmp_path)
    result = CliRunner().invoke(main, ["--config", str(config), "serve", "--no-scheduler"])
    assert result.exit_code == 2
    assert f"{SECRET_ENV} is too weak" in result.output and "Traceback" not in result.output


def test_without_a_key_a_random_one_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv(SECRET_ENV, raising=False)
    settings = load_settings(write_config(tmp_path))
    first = create_app(settings).config["SECRET_KEY"]
    assert create_app(settings).config["SECRET_KEY"] == first
    kept = settings.data_path / "dev-secret-key"
    assert kept.read_text().strip() == first and len(bytes.fromhex(first)) == 32
    assert kept.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_an_empty_variable_counts_as_no_key(tmp_path, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "")
    app = create_app(load_settings(write_config(tmp_path)))
    assert len(bytes.fromhex(app.config["SECRET_KEY"])) == 32


def test_a_strong_key_is_used_as_given(tmp_path, monkeypatch):
    strong = secrets.token_urlsafe(32)
    monkeypatch.setenv(SECRET_ENV, strong)
    assert create_app(load_settings(write_config(tmp_path))).config["SECRET_KEY"] == strong
