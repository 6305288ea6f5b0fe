"""The shirube CLI: every command has help in Japanese and English; --db wherever a command reads
or writes the warehouse."""

import subprocess
import sys

import pytest

COMMANDS = ["sample", "ingest", "build", "serve", "demo", "report"]
WAREHOUSE_COMMANDS = ["ingest", "build", "serve", "demo", "report"]  # sample only writes files


def run_cli(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "shirube.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_japanese_help_by_default_and_english_on_request(command):
    ja = run_cli(command, "--help")
    en = run_cli(command, "--help", "--lang", "en")
    assert ja.returncode == 0 and en.returncode == 0
    assert ("--db" in ja.stdout) == (command in WAREHOUSE_COMMANDS)
    assert ("SHIRUBE_DB" in ja.stdout) == (command in WAREHOUSE_COMMANDS)
    assert "表示言語" in ja.stdout
    assert "Language of messages" in en.stdout and "表示言語" not in en.stdout


@pytest.mark.parametrize("args", [(), ("ingest",), ("report",)])
def test_the_help_option_itself_is_described_in_the_chosen_language(args):
    ja = run_cli(*args, "--help")
    en = run_cli(*args, "-h", "--lang", "en")
    assert "この説明を表示して終了する" in ja.stdout
    assert "Show this message and exit." not in ja.stdout
    assert "Show this message and exit." in en.stdout


def test_sample_takes_no_warehouse():
    result = run_cli("sample", "out", "--db", "x.duckdb")
    assert result.returncode == 2 and "--db" in result.stderr


def test_unknown_option_is_a_usage_error_with_exit_code_2():
    result = run_cli("ingest", "--no-such-option", ".")
    assert result.returncode == 2
