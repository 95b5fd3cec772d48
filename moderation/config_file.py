"""The commented default `config.toml`, written from the settings' declarations.

Run `python -m moderation.config_file --write` after changing a declaration in
`moderation/settings.py` (or a channel type's Options); `--check` exits 1 when the packaged
file is out of date, and with no option the file is printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

from moderation import collectors
from moderation.declare import bounds_text, declared, default_of, keys
from moderation.push.actions import PushOptions
from moderation.settings import (
    DEFAULT_CONFIG,
    SECTIONS,
    TOP_LEVEL_KEYS,
    ChannelSettings,
    Settings,
)

WIDTH = 96
HEADER = """\
Default configuration of the comment moderation service.
Generated from the declarations in moderation/settings.py (and each channel type's Options)
by `python -m moderation.config_file --write`: change those, then regenerate.
Relative paths resolve against this file's folder. Secrets never go here: keys ending in
_env name the environment variable that holds the secret.
Point MODERATION_CONFIG (or `moderation --config FILE`) at another file to override.
"""
# The channels the packaged file configures: the demo, so a fresh install has comments.
PACKAGED_CHANNELS = (
    {
        "name": "demo",
        "type": "demo",
        "label": "演示数据（样例页面评论）",
        "schedule": "10m",
        "enabled": True,
    },
)


def render() -> str:
    """The whole default config.toml: every declared key with its help, bounds and default."""
    parts = [comment(HEADER)]
    top_fields = {f.name: f for f in dataclasses.fields(Settings)}
    parts.append("\n".join(key_lines(top_fields[name]) for name in TOP_LEVEL_KEYS))
    for name, cls in SECTIONS.items():
        lines = [f"[{name}]"] + [key_lines(f) for f in keys(cls).values()]
        parts.append("\n".join(lines))
    parts.append(channels_part())
    return "\n\n".join(parts) + "\n"


def comment(text: str) -> str:
    """Text as `#` lines wrapped to the file's width; an indented line hangs its wraps."""
    lines = []
    for paragraph in text.strip().split("\n"):
        body = paragraph.lstrip()
        lead = paragraph[: len(paragraph) - len(body)]
        hang = lead + "  " if lead else ""
        wrapped = textwrap.wrap(body, WIDTH - 2, initial_indent=lead, subsequent_indent=hang)
        lines.extend(f"# {line}".rstrip() for line in wrapped or [""])
    return "\n".join(lines)


def help_text(field: dataclasses.Field) -> str:
    """A key's help with its bounds appended, as the file's comment shows it."""
    rules = declared(field)
    if rules.min is None and rules.max is None:
        return rules.help
    return f"{rules.help} Range: {bounds_text(rules.min, rules.max)}."


def key_lines(field: dataclasses.Field, commented_out: bool = False) -> str:
    """The comment and `key = default` (the declared example, when there is one)."""
    rules = declared(field)
    value = rules.example if rules.example is not None else default_of(field)
    assignment = f"{field.name} = {toml_value(value)}"
    return comment(help_text(field)) + "\n" + ("# " if commented_out else "") + assignment


def toml_value(value: Any) -> str:
    """A TOML literal for a declared default."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no TOML literal for {value!r}")


def channels_part() -> str:
    """The [[channels]] entries, after a comment listing the common keys."""
    common = keys(ChannelSettings)
    listing = [
        "One [[channels]] entry per source; an unknown key is an error at start. Common keys:"
    ]
    for name, field in common.items():
        default = default_of(field)
        shown = "required" if default is dataclasses.MISSING else f"default {toml_value(default)}"
        listing.append(f"  {name} ({shown}): {help_text(field)}")
    listing.append(
        "Pushing decisions back (wechat, jsonfeed, weibo; docs/channels-and-push.md, "
        '"Pushing decisions back"):'
    )
    for name, field in keys(PushOptions).items():
        listing.append(f"  {name} (default {toml_value(default_of(field))}): {help_text(field)}")
    listing.append(
        f"Channel types: {', '.join(collectors.known_types())}. The other keys of an entry "
        "belong to its type (docs/channels-and-push.md); the demo's are shown commented out."
    )
    entries = [comment("\n".join(listing))]
    for channel in PACKAGED_CHANNELS:
        lines = ["[[channels]]"] + [f"{k} = {toml_value(v)}" for k, v in channel.items()]
        options = keys(collectors.collector_settings_class(channel["type"])).values()
        lines += [key_lines(field, commented_out=True) for field in options]
        entries.append("\n".join(lines))
    return "\n".join(entries)


def main(argv: list[str] | None = None) -> int:
    """Print, write or check the generated config.toml."""
    parser = argparse.ArgumentParser(prog="python -m moderation.config_file", description=__doc__)
    parser.add_argument("--write", nargs="?", const=DEFAULT_CONFIG, type=Path, metavar="PATH")
    parser.add_argument("--check", nargs="?", const=DEFAULT_CONFIG, type=Path, metavar="PATH")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        args.write.write_text(text, encoding="utf-8")
        print(f"wrote {args.write}", file=sys.stderr)
    elif args.check:
        if args.check.read_text(encoding="utf-8") != text:
            print(f"{args.check} is out of date: run python -m moderation.config_file --write")
            return 1
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
