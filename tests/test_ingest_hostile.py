"""Issue 13's hostile files through `shirube ingest` and through the dashboard's upload: no
traceback, no exit by a signal, a reason in Japanese and English, a rejected file changes no
data, loaded + quarantined = rows read, and the files after a bad one are still loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from access_warehouse import SCHOOL_A, SCHOOL_D, make_real_warehouse
from hostile_files import SCHOOLS_HEADER, corpus, xlsx_bytes
from test_ingest_support import (
    HIGH_SCHOOL,
    JUNIOR_HIGH,
    TOKYO_WARD,
    query,
    register_schools,
    table_counts,
    write_csv,
)

from dashboard import upload
from pipelines.i18n import t

ROOT = Path(__file__).resolve().parents[1]
CORPUS = corpus(JUNIOR_HIGH, HIGH_SCHOOL, TOKYO_WARD)
DATA_TABLES = ("schools", "returns", "return_scores", "activities", "roster", "quarantine")


def shirube(*args: str | bytes, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "shirube.cli", *args],
        capture_output=True,
        cwd=ROOT,
        timeout=600,
        env={**os.environ, **(env or {})},
    )


def good_return(folder: Path) -> Path:
    return write_csv(
        folder / "zz_good_return.csv",
        [
            ["学校コード", "年度", "学期", "提出日", "B1"],
            [JUNIOR_HIGH, "2025", "1", "2025-07-15", "90"],
        ],
    )


def log_rows(db: Path) -> dict[str, tuple]:
    rows = query(
        db,
        "select original_name, status, rows_read, rows_loaded, rows_quarantined, reason_ja, "
        "reason_en, file_id from raw.ingest_log",
    )
    return {r[0]: r[1:] for r in rows}


def assert_clean_exit(result: subprocess.CompletedProcess) -> None:
    assert result.returncode in (0, 1), result.returncode  # never a signal (negative) or 134
    assert b"Traceback" not in result.stderr + result.stdout
    assert b"panicked" not in result.stderr and b"memory allocation" not in result.stderr


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    """The whole corpus in one folder, in name order, then a good file; one CLI run."""
    tmp = tmp_path_factory.mktemp("hostile")
    db = tmp / "w.duckdb"
    register_schools(db, tmp)
    before = table_counts(db)
    inbox = tmp / "inbox"
    inbox.mkdir()
    for index, hostile in enumerate(CORPUS):
        (inbox / f"{index:02d}_{hostile.name}").write_bytes(hostile.data)
    good_return(inbox)
    # A name that would drive the terminal (clear the screen, set the title) if printed raw.
    write_csv(
        inbox / "zy_\x1b[2J\x1b]0;owned\x07.csv",
        [["学校コード", "学校名", "市区町村コード"], [HIGH_SCHOOL, "高校", TOKYO_WARD]],
    )
    result = shirube("ingest", "--db", str(db), str(inbox))
    english = shirube("ingest", "--db", str(tmp / "en.duckdb"), "--lang", "en", str(inbox))
    return db, before, result, english


def test_the_cli_reads_the_whole_corpus_without_a_traceback_or_a_signal(cli_run):
    db, _, result, english = cli_run
    assert_clean_exit(result)
    assert_clean_exit(english)
    assert result.returncode == 1  # some files were rejected
    # The good file after every hostile one was loaded: the batch went on.
    assert log_rows(db)["zz_good_return.csv"][:4] == ("loaded", 1, 1, 0)


@pytest.mark.parametrize("index", range(len(CORPUS)), ids=[h.name for h in CORPUS])
def test_each_hostile_file_is_rejected_or_loaded_with_reasons_in_both_languages(cli_run, index):
    db, _, _, _ = cli_run
    hostile = CORPUS[index]
    status, read, loaded, quarantined, reason_ja, reason_en, file_id = log_rows(db)[
        f"{index:02d}_{hostile.name}"
    ]
    assert status == hostile.status, (reason_en, hostile.name)
    if hostile.status == "rejected":
        assert hostile.ja in reason_ja and hostile.en in reason_en
        assert (read, loaded, quarantined) == (0, 0, 0)
        return
    assert (read, loaded, quarantined) == hostile.rows
    assert read == loaded + quarantined
    reasons = query(
        db, "select rule, reason_ja, reason_en from raw.quarantine where file_id = ?", [file_id]
    )
    if hostile.rule:
        mine = [r for r in reasons if r[0] == hostile.rule]
        assert mine and all(hostile.ja in r[1] and hostile.en in r[2] for r in mine)


def test_rejected_files_changed_no_data(cli_run):
    db, _, _, _ = cli_run
    rejected = [row[6] for row in log_rows(db).values() if row[0] == "rejected"]
    assert len(rejected) == sum(h.status == "rejected" for h in CORPUS)
    for file_id in rejected:
        for table in DATA_TABLES:
            count = query(db, f"select count(*) from raw.{table} where file_id = ?", [file_id])
            assert count == [(0,)], (table, file_id)
        assert query(
            db, "select archive_path from raw.ingest_log where file_id = ?", [file_id]
        ) == [(None,)]


def test_no_control_character_or_nul_is_stored_or_printed(cli_run):
    db, _, result, english = cli_run
    for output in (result.stdout, result.stderr, english.stdout, english.stderr):
        assert not any(ch in output for ch in (b"\x1b", b"\x07", b"\x00"))
    stored = query(
        db,
        "select count(*) from (select school_name as v from raw.schools union all "
        "select value from raw.quarantine union all select reason_ja from raw.quarantine) "
        "where regexp_matches(v, '[\\x00-\\x1F]')",
    )
    assert stored == [(0,)]
    assert "\\x1b" in english.stdout.decode()  # the ESC is shown escaped, not sent


def test_a_ten_megabyte_value_is_cut_in_messages_and_the_quarantine(cli_run):
    db, _, result, _ = cli_run
    assert len(result.stdout) < 50_000
    (longest,) = query(db, "select max(length(value)) from raw.quarantine")[0]
    assert longest < 200
    values = [r[0] for r in query(db, "select value from raw.quarantine where value like '999%'")]
    assert values and all("10000000" in v for v in values)  # the original length is shown


def test_a_cp932_file_name_from_a_windows_zip_is_loaded_and_later_files_too(tmp_path):
    db = tmp_path / "w.duckdb"
    folder = os.fsencode(tmp_path / "inbox")
    os.mkdir(folder)
    name = "学校一覧.csv".encode("cp932")  # not UTF-8: Python sees surrogate escapes
    with open(os.path.join(folder, name), "wb") as fh:
        fh.write(
            f"学校コード,学校名,市区町村コード\r\n{JUNIOR_HIGH},中学校,{TOKYO_WARD}\r\n".encode()
        )
    good = good_return(tmp_path / "inbox")
    result = shirube("ingest", "--db", str(db), "--json", os.path.join(folder, name), str(good))
    assert_clean_exit(result)
    assert result.returncode == 0, result.stdout
    files = json.loads(result.stdout)["files"]
    assert [f["status"] for f in files] == ["loaded", "loaded"]
    assert files[0]["path"].endswith("学校一覧.csv")
    assert query(db, "select original_name from raw.ingest_log order by file_id")[0] == (
        "学校一覧.csv",
    )


def test_a_reader_that_crashes_rejects_its_file_and_the_batch_goes_on(tmp_path):
    """With the pre-read limits set out of the way, the bomb reaches the reader and aborts it
    (SIGABRT under the child's memory limit): that file is rejected, the next one loads."""
    settings = tmp_path / "settings.toml"
    settings.write_text(
        "[ingest.spreadsheet]\nmax_rows = 2000000\nmax_columns = 20000\n"
        "max_cells = 100000000000\nreader_memory_mb = 1024\n",
        encoding="utf-8",
    )
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "bomb.xlsx").write_bytes(CORPUS[0].data)
    good_return(inbox)
    result = shirube("ingest", "--db", str(db), str(inbox), env={"SHIRUBE_SETTINGS": str(settings)})
    assert_clean_exit(result)
    rows = log_rows(db)
    assert rows["bomb.xlsx"][0] == "rejected"
    assert "異常終了" in rows["bomb.xlsx"][4] and "stopped abnormally" in rows["bomb.xlsx"][5]
    assert rows["zz_good_return.csv"][:4] == ("loaded", 1, 1, 0)


# --- the dashboard's upload -----------------------------------------------------------------

UPLOAD_CORPUS = corpus(SCHOOL_A, SCHOOL_D, "13101")


@pytest.fixture(scope="module")
def upload_warehouse(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("upload")
    db = tmp / "shirube.duckdb"
    make_real_warehouse(db, tmp / "sample")
    return db


@pytest.mark.parametrize("index", range(len(UPLOAD_CORPUS)), ids=[h.name for h in UPLOAD_CORPUS])
def test_each_hostile_upload_is_refused_or_ingested_with_reasons_and_audited_first(
    upload_warehouse, monkeypatch, index
):
    hostile = UPLOAD_CORPUS[index]
    db = upload_warehouse
    monkeypatch.setenv("SHIRUBE_DB", str(db))
    before = table_counts(db)
    # As the page does: the upload check first, then the ingest of what passed it.
    refused = [upload.check_upload(hostile.name, hostile.data, lang) for lang in ("ja", "en")]
    if refused[0]:  # refused before ingest (not CSV text, not .xlsx): said in both languages
        assert refused[1] and refused[0] != refused[1] and hostile.name in refused[1]
        assert table_counts(db) == before
    # The ingest behind the upload holds on its own too (the same call the page makes).
    outcome = upload.ingest_uploads([(hostile.name, hostile.data)], "en", user="coord@x")
    assert outcome.error is None
    (shown,) = outcome.files.to_dicts()
    status, read, loaded, quarantined, reason_ja, reason_en, file_id = query(
        db,
        "select status, rows_read, rows_loaded, rows_quarantined, reason_ja, reason_en, file_id "
        "from raw.ingest_log order by file_id desc limit 1",
    )[0]
    assert status == hostile.status and shown[t("dashboard.col_status", "en")]
    if status == "rejected":
        assert hostile.ja in reason_ja and hostile.en in reason_en
        after = table_counts(db)
        assert after.pop("ingest_log") == before.pop("ingest_log") + 1 and after == before
    else:
        assert (read, loaded, quarantined) == hostile.rows and read == loaded + quarantined
    spooled = "".join(p.read_text() for p in (db.parent / "shirube.audit").glob("*.jsonl"))
    assert f'"target": "{hostile.name}"' in spooled and '"action": "upload"' in spooled


def test_an_upload_is_audited_even_when_its_ingest_fails(tmp_path, monkeypatch):
    db = tmp_path / "shirube.duckdb"
    db.mkdir()  # no database can be opened here: the ingest fails
    monkeypatch.setenv("SHIRUBE_DB", str(db))
    outcome = upload.ingest_uploads([("学校一覧.csv", b"a,b\r\n")], "ja", user="coord@x")
    assert outcome.error
    spooled = "".join(p.read_text() for p in (tmp_path / "shirube.audit").glob("*.jsonl"))
    assert '"target": "学校一覧.csv"' in spooled and "coord@x" in spooled


STREAMLIT_LIKE = """
import sys, types
from pathlib import Path
from pipelines.ingest.isolated import read_workbook
from pipelines.settings import settings
# While a page runs, Streamlit installs the page script as __main__. multiprocessing would run
# it again in a reader child; here that script would make the child exit at once.
page = Path(sys.argv[1])
page.write_text("raise SystemExit('the page ran inside the reader')", encoding="utf-8")
fake = types.ModuleType("__main__")
fake.__file__ = str(page)
sys.modules["__main__"] = fake
limits = settings()["ingest"]["spreadsheet"]
print(read_workbook(Path(sys.argv[2]).read_bytes(), None, limits).height)
"""


def test_a_workbook_is_read_while_a_streamlit_page_is_the_main_module(tmp_path):
    book = tmp_path / "schools.xlsx"
    book.write_bytes(xlsx_bytes([SCHOOLS_HEADER, [JUNIOR_HIGH, "中学校", TOKYO_WARD]]))
    result = subprocess.run(
        [sys.executable, "-c", STREAMLIT_LIKE, str(tmp_path / "page.py"), str(book)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"
