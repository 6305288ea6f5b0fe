"""A tiny real warehouse for the access tests: CSV files ingested and built by the real pipeline.

Five schools: three in hub H01 (Tokyo, Yokohama), two in hub H02 (Osaka). A, B and C have a
return for 2025; D (H01) and E (H02) have none, so the support list flags them.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.build import build_warehouse
from pipelines.codes import make_school_code
from pipelines.ingest import ingest_files
from pipelines.settings import default_framework

SCHOOL_A = make_school_code("C1", "13", "2", 1)
SCHOOL_B = make_school_code("C1", "14", "2", 2)
SCHOOL_C = make_school_code("C1", "27", "2", 3)
SCHOOL_D = make_school_code("C1", "13", "2", 4)
SCHOOL_E = make_school_code("C1", "27", "2", 5)
SCHOOLS = (
    (SCHOOL_A, "千代田中学校", "13101", "H01", "東京湾岸ハブ"),
    (SCHOOL_B, "横浜中学校", "14100", "H01", "東京湾岸ハブ"),
    (SCHOOL_C, "大阪中学校", "27100", "H02", "なにわハブ"),
    (SCHOOL_D, "神田中学校", "13101", "H01", "東京湾岸ハブ"),
    (SCHOOL_E, "難波中学校", "27100", "H02", "なにわハブ"),
)
NAMES = {code: name for code, name, *_ in SCHOOLS}


def schools_csv(rows=SCHOOLS) -> bytes:
    towns = {"13101": "千代田区", "14100": "横浜市", "27100": "大阪市"}
    lines = ["学校コード,学校名,市区町村コード,市区町村名,ハブコード,ハブ名"]
    lines += [",".join([code, name, town, towns[town], *hub]) for code, name, town, *hub in rows]
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


def returns_csv(codes=(SCHOOL_A, SCHOOL_B, SCHOOL_C)) -> bytes:
    ids = default_framework().ids
    lines = [",".join(["学校コード", "年度", "学期", "提出日", *ids])]
    lines += [",".join([code, "2025", "1", "2025-07-15", *["80"] * len(ids)]) for code in codes]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def write_sample(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    schools = folder / "学校一覧.csv"
    schools.write_bytes(schools_csv())
    returns = folder / "自己評価.csv"
    returns.write_bytes(returns_csv())
    return [schools, returns]


def make_real_warehouse(db: Path, sample_dir: Path) -> None:
    """Write the sample files to `sample_dir`, ingest them into `db` and build."""
    ingest_files(write_sample(sample_dir), db)
    build_warehouse(db, lang="en")
