"""Config loading: defaults, validation errors naming the key, path resolution."""

import pytest

from moderation.settings import DEFAULT_CONFIG, SettingsError, load_settings
from tests.helpers import write_config


def test_default_config_loads_with_demo_channel():
    settings = load_settings(DEFAULT_CONFIG)
    assert [c.name for c in settings.channels] == ["demo"]
    assert settings.server.host == "127.0.0.1"
    assert settings.database_path == DEFAULT_CONFIG.parent / "var" / "moderation.db"


def test_default_config_comments_every_key():
    lines = DEFAULT_CONFIG.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if "=" in line and not line.lstrip().startswith("#"):
            assert lines[number - 1].lstrip().startswith("#") or line.startswith(
                ("name", "type", "label", "schedule", "enabled")
            ), f"config.toml line {number + 1} has no comment: {line}"


@pytest.mark.parametrize(
    "extra, message",
    [
        ("[database]\nbusy_timeout = 5\n", "database.busy_timeout: unknown key"),
        ('[server]\nport = "80"\n', "server.port: expected int, got str"),
        ('[scoring]\nbanned_words = "x"\n', "scoring.banned_words: expected a list"),
        ("colour = 1\n", "colour: unknown key"),
        ("[server]\nproduction = 1\n", "server.production: expected bool"),
        ("[scoring]\nduplicate_distance = 5\n", "scoring.duplicate_distance: must be 0 to 3, got"),
        ("[scoring]\nnegative_below = 0.95\n", "scoring: negative_below and positive_above"),
        (
            "[scoring]\noffensive_review_above = 0.97\n",
            "scoring: offensive_review_above and offensive_reject_above",
        ),
        ("[scoring]\nnegative_below = -0.1\n", "scoring.negative_below: must be 0 to 1, got -0.1"),
        ("[scoring]\nbatch_size = 0\n", "scoring.batch_size: must be 1 to 100000, got 0"),
        ("[scoring]\nmass_posting_authors = 1\n", "scoring.mass_posting_authors: must be 2 to"),
        ("[server]\nport = 70000\n", "server.port: must be 1 to 65535, got 70000"),
        ("[server]\nport = 0\n", "server.port: must be 1 to 65535, got 0"),
        ('[server]\nsecret_key_env = ""\n', "server.secret_key_env: '' is not an environment"),
        ("[retention]\nraw_payload_days = -1\n", "retention.raw_payload_days: must be 1 to 3650"),
        ("[retention]\nraw_payload_days = 0\n", "retention.raw_payload_days: must be 1 to 3650"),
        ("[scheduler]\njitter_seconds = -5\n", "scheduler.jitter_seconds: must be 0 to 3600"),
        ("[database]\nbusy_timeout_ms = 0\n", "database.busy_timeout_ms: must be 100 to"),
        ("[limits]\ntext_chars = 0\n", "limits.text_chars: must be 1 to 10000000"),
        ("[limits]\nsession_hours = 0\n", "limits.session_hours: must be 1 to 2160"),
        ("[limits]\ntrusted_proxies = 9\n", "limits.trusted_proxies: must be 0 to 5"),
        ("[limits]\nlogin_free_failures = 0\n", "limits.login_free_failures: must be 1"),
        ("[limits]\nfield_size = 5\n", "limits.field_size: unknown key"),
    ],
)
def test_bad_key_names_the_key(tmp_path, extra, message):
    path = tmp_path / "config.toml"
    path.write_text(extra, encoding="utf-8")
    with pytest.raises(SettingsError, match=message.replace(".", r"\.").replace("(", r"\(")):
        load_settings(path)


def test_unknown_channel_type_and_key(tmp_path):
    bad_type = write_config(tmp_path, channels='[[channels]]\nname = "x"\ntype = "fax"\n')
    with pytest.raises(SettingsError, match="unknown channel type 'fax'"):
        load_settings(bad_type)
    bad_key = write_config(
        tmp_path, channels='[[channels]]\nname = "d"\ntype = "demo"\npage_sise = 3\n'
    )
    with pytest.raises(SettingsError, match=r"channels\.d\.page_sise: unknown key"):
        load_settings(bad_key)


def test_bad_schedule_is_explained(tmp_path):
    path = write_config(
        tmp_path, channels='[[channels]]\nname = "d"\ntype = "demo"\nschedule = "often"\n'
    )
    with pytest.raises(SettingsError, match="schedule: 'often' is neither an interval"):
        load_settings(path)


def test_missing_file_is_explained(tmp_path):
    with pytest.raises(SettingsError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")


def test_relative_paths_resolve_against_config_folder(settings, config_file):
    assert settings.database_path == config_file.parent / "test.db"
    assert settings.data_path == config_file.parent / "data"


def test_config_in_working_folder_wins_over_packaged_default(tmp_path, monkeypatch):
    from moderation.settings import config_path

    monkeypatch.delenv("MODERATION_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    assert config_path() == DEFAULT_CONFIG
    local = write_config(tmp_path)
    assert config_path().resolve() == local.resolve()
    monkeypatch.setenv("MODERATION_CONFIG", "/elsewhere/config.toml")
    assert str(config_path()) == "/elsewhere/config.toml"


def test_default_limits_are_documented():
    from moderation.settings import LimitsSettings

    readme = (DEFAULT_CONFIG.parent / "docs" / "configuration.md").read_text(encoding="utf-8")
    config = DEFAULT_CONFIG.read_text(encoding="utf-8")
    for name in LimitsSettings.__dataclass_fields__:
        assert f"| `{name}` |" in readme and f"\n{name} = " in config, name
