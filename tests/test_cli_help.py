"""`hindsight --help`, `--version` and the help of every command, through click's CliRunner."""

from __future__ import annotations

from importlib.metadata import version

import pytest

REPORT_KINDS = ["quarterly", "actions", "recurrence", "escalations", "coverage"]
FILTERS = ["--db", "--config", "--team", "--severity", "--service", "--cause", "--from", "--to", "--as-of"]


def test_top_level_help_lists_the_commands(cli):
    code, out, err = cli("--help")
    assert code == 0, err
    assert out.startswith("Usage: hindsight [OPTIONS] COMMAND [ARGS]...")
    commands = out.split("Commands:")[1]
    for command in ("demo", "ingest", "report"):
        assert f"  {command} " in commands


def test_short_option_h_is_help(cli):
    assert cli("-h") == cli("--help")
    assert cli("report", "actions", "-h") == cli("report", "actions", "--help")


def test_version_is_the_installed_package_version(cli):
    code, out, _ = cli("--version")
    assert code == 0
    assert out == f"hindsight {version('hindsight')}\n"


@pytest.mark.parametrize("args, options", [
    (["ingest"], ["PATH...", "--db", "--config", "--strict", "--workers", "--verbose", "--quiet"]),
    (["demo"], ["--out", "--count", "--seed", "[default: 300]", "[default: 42]", "[default: data/demo]"]),
    (["report"], REPORT_KINDS + ["review"]),
    *[(["report", kind], FILTERS + ["--format", "[table|csv|json|md]"]) for kind in REPORT_KINDS],
    (["report", "review"], FILTERS + ["--quarter", "--out"]),
])
def test_every_command_has_its_help(cli, args, options):
    code, out, err = cli(*args, "--help")
    assert code == 0, err
    assert out.startswith(f"Usage: hindsight {' '.join(args)} ")
    for option in options:
        assert option in out, option


def test_the_review_pack_takes_no_format(cli):
    assert "--format" not in cli("report", "review", "--help")[1]


@pytest.mark.parametrize("args, message", [
    ([], "Usage: hindsight [OPTIONS] COMMAND"),            # no command: the help, as a usage error
    (["frobnicate"], "No such command 'frobnicate'"),
    (["report", "weekly"], "No such command 'weekly'"),
    (["demo", "--count", "many"], "'many' is not a valid integer"),
])
def test_usage_errors_exit_2(cli, args, message):
    code, out, err = cli(*args)
    assert code == 2
    assert message in out + err
