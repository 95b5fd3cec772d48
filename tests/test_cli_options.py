"""Numeric CLI options are bounded like the settings they override."""

import click
import pytest
from click.testing import CliRunner

from moderation.cli import main
from tests.helpers import write_config
from tests.test_operations import one_old_one_new_payload


def commands(group: click.Group, prefix: str = ""):
    """(name, command) for every command of the CLI, subcommands included."""
    for name, command in group.commands.items():
        yield f"{prefix}{name}", command
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix}{name} ")


def test_every_numeric_cli_option_is_bounded():
    for name, command in commands(main):
        for param in command.params:
            if isinstance(param.type, click.types.IntParamType | click.types.FloatParamType):
                assert isinstance(param.type, click.types._NumberRangeBase), (
                    f"`moderation {name} {param.opts[0]}` takes any number: give it a range"
                )


@pytest.mark.parametrize(
    "args, message",
    [
        (["purge", "--days", "-5"], "-5 is not in the range 1<=x<=3650"),
        (["purge", "--days", "0"], "0 is not in the range 1<=x<=3650"),
        (["serve", "--port", "70000"], "70000 is not in the range 1<=x<=65535"),
        (["serve", "--port", "0"], "0 is not in the range 1<=x<=65535"),
    ],
)
def test_out_of_range_option_exits_2_naming_it(tmp_path, monkeypatch, args, message):
    # production without a secret key: should `serve` get past its options, it stops at once
    config = write_config(tmp_path, extra="[server]\nproduction = true\n")
    monkeypatch.delenv("MODERATION_SECRET_KEY", raising=False)
    result = CliRunner().invoke(main, ["--config", str(config), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert f"Invalid value for '{args[1]}'" in result.output


def test_purge_with_negative_days_keeps_every_payload(config_file, db):
    one_old_one_new_payload(db)
    result = CliRunner().invoke(main, ["--config", str(config_file), "purge", "--days", "-5"])
    assert result.exit_code == 2
    assert db.table("raw_payloads").count == 2
    result = CliRunner().invoke(main, ["--config", str(config_file), "purge", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert db.table("raw_payloads").count == 1  # the one collected just now is kept
