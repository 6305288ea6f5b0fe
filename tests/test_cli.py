"""The shirube CLI: every command has help in Japanese and English; --db is accepted everywhere."""

import subprocess
import sys

import pytest

COMMANDS = ["sample", "ingest", "build", "serve", "demo", "report"]


def run_cli(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
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
    assert "--db" in ja.stdout and "SHIRUBE_DB" in ja.stdout
    assert "表示言語" in ja.stdout
    assert "Language of messages" in en.stdout and "表示言語" not in en.stdout


def test_unknown_option_is_a_usage_error_with_exit_code_2():
    result = run_cli("ingest", "--no-such-option", ".")
    assert result.returncode == 2
