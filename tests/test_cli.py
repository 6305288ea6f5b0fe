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


def test_the_usage_line_names_options_and_arguments_in_the_chosen_language():
    ja, en = run_cli("ingest", "--help"), run_cli("ingest", "--help", "--lang", "en")
    assert "使い方: shirube ingest [オプション] ファイルまたはフォルダ..." in ja.stdout
    assert "Usage: shirube ingest [OPTIONS] PATHS..." in en.stdout
    assert "[オプション] コマンド [引数]..." in run_cli("--help").stdout
    assert "shirube sample [オプション] 出力フォルダ" in run_cli("sample", "--help").stdout


def test_sample_takes_no_warehouse():
    result = run_cli("sample", "out", "--db", "x.duckdb")
    assert result.returncode == 2 and "--db" in result.stderr


def test_unknown_option_is_a_usage_error_with_exit_code_2():
    result = run_cli("ingest", "--no-such-option", ".")
    assert result.returncode == 2


def test_clicks_own_words_follow_the_chosen_language_not_the_machines():
    """Usage, headings and errors are click's; a Japanese user reads them in Japanese, and
    --lang en gives English even on a machine set to Japanese (and the other way round)."""
    import os

    for machine in ("ja_JP.UTF-8", "C.UTF-8"):
        env = {**os.environ, "LANG": machine, "LANGUAGE": machine.split(".")[0]}
        ja = run_cli("ingest", env=env)
        assert ja.returncode == 2
        assert "使い方: shirube ingest" in ja.stderr
        assert "エラー: 次の引数がありません: 'ファイルまたはフォルダ...'." in ja.stderr
        en = run_cli("ingest", "--lang", "en", env=env)
        assert "Usage: shirube ingest" in en.stderr
        assert "Error: Missing argument 'PATHS...'." in en.stderr
    help_ja = run_cli("--help").stdout
    assert "オプション:" in help_ja and "コマンド:" in help_ja and "[既定: ja]" in help_ja
    missing = run_cli("ingest", "no-such-folder-here").stderr
    assert "パス 'no-such-folder-here' がありません。" in missing


def test_the_compiled_japanese_catalogue_is_the_one_in_the_message_file():
    from shirube.click_language import COMPILED, compile_mo, japanese_messages

    assert COMPILED.read_bytes() == compile_mo(japanese_messages()), (
        "pipelines/messages/click.toml changed: run python -m shirube.click_language"
    )
    import gettext

    with COMPILED.open("rb") as mo:
        read = gettext.GNUTranslations(mo)
    assert read.gettext("Usage:") == "使い方:"
    assert (
        read.ngettext("Got unexpected extra argument ({args})", "x", 2)
        == "余分な引数があります({args})"
    )
