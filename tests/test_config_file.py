"""The packaged config.toml and the settings' declarations agree, key by key."""

import dataclasses
import re
import tomllib
import typing

import pytest

from moderation import collectors, config_file
from moderation.declare import declared, default_of, keys
from moderation.settings import (
    DEFAULT_CONFIG,
    SECTIONS,
    TOP_LEVEL_KEYS,
    ChannelSettings,
    Settings,
    load_settings,
)

TEXT = DEFAULT_CONFIG.read_text(encoding="utf-8")
RAW = tomllib.loads(TEXT)
TOP_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}


def commented_lines(text: str) -> dict[tuple[str, str], str]:
    """{(table, key): the comment lines just above `key = ...`, joined} for a TOML file."""
    found, table, comment = {}, "", []
    for line in text.splitlines():
        if line.startswith("["):
            table, comment = line.strip("[]"), []
        elif line.startswith("#"):
            comment.append(line.lstrip("#").strip())
        elif "=" in line:
            found[(table, line.split("=")[0].strip())] = " ".join(comment)
            comment = []
        else:
            comment = []
    return found


def declared_keys() -> list[tuple[str, dataclasses.Field]]:
    """(table, field) for every key the packaged file must set."""
    top = [("", TOP_FIELDS[name]) for name in TOP_LEVEL_KEYS]
    return top + [(table, f) for table, cls in SECTIONS.items() for f in keys(cls).values()]


def channel_option_classes() -> list[type]:
    """The Options dataclass of every registered channel type."""
    return [collectors.collector_settings_class(name) for name in collectors.known_types()]


def test_config_toml_is_what_the_declarations_generate():
    assert TEXT == config_file.render(), "run: python -m moderation.config_file --write"


@pytest.mark.parametrize("table, field", declared_keys(), ids=lambda v: getattr(v, "name", v))
def test_config_toml_sets_each_declared_key_to_its_default_under_its_help(table, field):
    rules = declared(field)
    values = RAW[table] if table else RAW
    expected = rules.example if rules.example is not None else default_of(field)
    assert values[field.name] == expected
    assert rules.help, f"{table}.{field.name} has no help"
    assert rules.help in commented_lines(TEXT)[(table, field.name)]


def test_config_toml_has_no_undeclared_key():
    assert set(RAW) == {*TOP_LEVEL_KEYS, *SECTIONS, "channels"}
    for table, cls in SECTIONS.items():
        assert set(RAW[table]) == set(keys(cls)), table
    for channel in RAW["channels"]:
        assert set(channel) <= set(keys(ChannelSettings))
    assert load_settings(DEFAULT_CONFIG).channels


def test_channel_keys_are_described_in_config_toml():
    for field in keys(ChannelSettings).values():
        assert f"#   {field.name} (" in TEXT
        assert declared(field).help.split(".")[0] in " ".join(TEXT.split())
    lines = TEXT.splitlines()
    for field in keys(collectors.collector_settings_class("demo")).values():
        number = lines.index(f"# {field.name} = {config_file.toml_value(default_of(field))}")
        block = []
        while re.match(r"# (?!\w+ = )", lines[number - 1]):  # the comment, up to the key above
            number -= 1
            block.insert(0, lines[number].removeprefix("# "))
        assert declared(field).help in " ".join(block)


def numeric_fields() -> list[tuple[str, dataclasses.Field]]:
    """Every int or float key of the sections and of every channel type."""
    classes = [*SECTIONS.values(), *channel_option_classes()]
    found = []
    for cls in classes:
        hints = typing.get_type_hints(cls)
        found += [
            (cls.__qualname__, f) for f in keys(cls).values() if hints[f.name] in (int, float)
        ]
    return found


@pytest.mark.parametrize("owner, field", numeric_fields(), ids=lambda v: getattr(v, "name", v))
def test_every_numeric_setting_has_bounds_around_its_default(owner, field):
    rules = declared(field)
    assert rules.min is not None and rules.max is not None, f"{owner}.{field.name}"
    assert rules.min <= default_of(field) <= rules.max


@pytest.mark.parametrize("cls", [*SECTIONS.values(), ChannelSettings, *channel_option_classes()])
def test_every_setting_is_declared_with_help(cls):
    for field in keys(cls).values():
        assert declared(field).help, f"{cls.__qualname__}.{field.name} has no help"


def test_check_reports_a_stale_file(tmp_path, capsys):
    stale = tmp_path / "config.toml"
    stale.write_text(TEXT.replace("port = 5000", "port = 5001"), encoding="utf-8")
    assert config_file.main(["--check", str(stale)]) == 1
    assert "out of date" in capsys.readouterr().out
    assert config_file.main(["--write", str(stale)]) == 0
    assert config_file.main(["--check", str(stale)]) == 0
    assert load_settings(stale).server.port == 5000
