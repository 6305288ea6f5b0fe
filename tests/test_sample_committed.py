"""The committed sample in data/sample: what `make demo` shows, so it must be current and clean."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.sample import generate_sample

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_committed_sample_is_exactly_what_the_generator_makes_with_the_documented_options(
    tmp_path,
):
    # README and Makefile document: shirube sample data/sample --schools 300 --years 3 --seed 7
    generate_sample(tmp_path / "sample", schools=300, years=3, seed=7)
    assert _files(tmp_path / "sample") == _files(SAMPLE)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    db = tmp_path_factory.mktemp("demo") / "shirube.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "shirube.cli", "ingest", "--json", "--db", str(db), str(SAMPLE)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    return result, db


def test_project_ingest_loads_every_committed_sample_file_with_zero_quarantined_rows(ingested):
    result, _db = ingested
    assert result.returncode == 0, result.stderr
    files = json.loads(result.stdout)["files"]
    assert len(files) == len(_files(SAMPLE))
    assert {f["status"] for f in files} == {"loaded"}
    assert sum(f["rows_quarantined"] for f in files) == 0
    kinds = {f["kind"] for f in files}
    assert kinds == {"schools", "returns", "activities", "roster", "criteria", "skills", "links"}


def test_sample_builds_and_a_report_matches_the_national_mart(ingested, tmp_path):
    from pypdf import PdfReader

    from pipelines.warehouse import current_snapshot, open_snapshot

    _result, db = ingested
    build = subprocess.run(
        [sys.executable, "-m", "shirube.cli", "build", "--db", str(db), "--lang", "en"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr + build.stdout
    with open_snapshot(current_snapshot(db)[1]) as snap:
        year, reporting, registered = snap.execute(
            "select academic_year, schools_reporting, schools_registered "
            "from marts.area_year_summary where area_level = 'national' "
            "order by academic_year desc limit 1"
        ).fetchone()
    out = tmp_path / "national.pdf"
    report = subprocess.run(
        [
            sys.executable,
            "-m",
            "shirube.cli",
            "report",
            "--db",
            str(db),
            "--year",
            str(year),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert report.returncode == 0, report.stderr
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    lines = text.splitlines()
    assert registered == 300
    assert "職場体験" in text
    # The headline table's rows start with the label, then the figure for the area.
    assert any(line.startswith(f"登録校数 {registered} ") for line in lines)
    assert any(line.startswith(f"回答校数 {reporting} ") for line in lines)
