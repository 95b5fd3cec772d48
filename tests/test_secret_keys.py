"""Production refuses a weak session key and says how to make a strong one."""

import base64
import random

import pytest
from click.testing import CliRunner

from moderation import create_app
from moderation.cli import main
from moderation.secret_keys import HOW_TO_GENERATE, weakness
from moderation.settings import load_settings
from tests.helpers import write_config

SECRET_ENV = "MODERATION_SECRET_KEY"
PRODUCTION = "[server]\nproduction = true\n"


def random_bytes(seed: int, size: int = 32) -> bytes:
    """Deterministic stand-ins for os.urandom, so the test is the same on every run."""
    return random.Random(seed).randbytes(size)


@pytest.mark.parametrize(
    "key, reason",
    [
        ("changeme", "8 bytes long"),
        ("secret", "6 bytes long"),
        ("x" * 64, "repeats"),
        ("changeme" * 4, "guessable word 'changeme'"),
        ("ThisIsMySecretKeyForTheNewsroomServer2024", "guessable word 'Secret'"),
        ("correct horse battery staple correct horse", "repeats"),
        ("0123456789abcdef" * 4, "guessable word '123456'"),
        ("9876543210fedcba9876543210fedcba9876543210", "repeats"),
        ("ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ", "consecutive"),
        (random_bytes(1, 16).hex(), "about 128 random bits"),
        ("31415926535897932384626433832795028841971693993751", "about 166 random bits"),
    ],
)
def test_weak_keys_are_named_with_the_reason(key, reason):
    assert reason in weakness(key)


@pytest.mark.parametrize(
    "encode",
    [bytes.hex, base64.urlsafe_b64encode, base64.b64encode],
    ids=["token_hex", "token_urlsafe", "openssl-base64"],
)
def test_keys_of_32_random_bytes_are_accepted(encode):
    for seed in range(300):
        key = encode(random_bytes(seed))
        key = key.decode().rstrip("=") if isinstance(key, bytes) else key
        assert weakness(key) is None, key


@pytest.mark.parametrize("key", ["changeme", "secret", "x" * 64, random_bytes(2, 16).hex()])
def test_production_refuses_a_weak_key_and_says_how_to_make_one(tmp_path, monkeypatch, key):
    monkeypatch.setenv(SECRET_ENV, key)
    settings = load_settings(write_config(tmp_path, PRODUCTION))
    with pytest.raises(RuntimeError, match=f"{SECRET_ENV} is too weak") as error:
        create_app(settings)
    assert HOW_TO_GENERATE in str(error.value)
    assert key not in str(error.value).replace(HOW_TO_GENERATE, "")  # the key is not shown


def test_serve_with_a_weak_key_exits_2_with_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "changeme")
    config = write_config(tmp_path, PRODUCTION)
    result = CliRunner().invoke(main, ["--config", str(config), "serve", "--no-scheduler"])
    assert result.exit_code == 2
    assert f"{SECRET_ENV} is too weak" in result.output
    assert HOW_TO_GENERATE in result.output


def test_production_takes_a_strong_key(tmp_path, monkeypatch):
    strong = random_bytes(3).hex()
    monkeypatch.setenv(SECRET_ENV, strong)
    app = create_app(load_settings(write_config(tmp_path, PRODUCTION)))
    assert app.config["SECRET_KEY"] == strong


def test_development_refuses_a_weak_key_too(tmp_path, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "changeme")
    with pytest.raises(RuntimeError, match=f"{SECRET_ENV} is too weak"):
        create_app(load_settings(write_config(tmp_path)))
