"""docs/channels-and-push.md documents every option key of every channel type, with working
examples."""

import dataclasses
from pathlib import Path

import pytest

from moderation.collectors import collector_settings_class, known_types

PAGE = Path(__file__).resolve().parents[2] / "docs" / "channels-and-push.md"
# The page's "Channels" section, up to the next second-level heading.
DOC = PAGE.read_text(encoding="utf-8").split("\n## Channels\n", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("channel_type", [t for t in known_types() if t != "demo"])
def test_every_channel_option_is_documented(channel_type):
    assert f'type = "{channel_type}"' in DOC
    for option in dataclasses.fields(collector_settings_class(channel_type)):
        assert f"| `{option.name}` |" in DOC, f"{channel_type}.{option.name} is not documented"


@pytest.mark.parametrize("block", DOC.split("```toml")[1:])
def test_documented_examples_are_valid_config(tmp_path, block):
    from tests.collectors.conftest import channel_settings

    settings = channel_settings(tmp_path, block.split("```")[0])
    assert settings.channels
