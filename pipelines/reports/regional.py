"""The regional comparison: every region and prefecture (and the tile map's squares)."""

from __future__ import annotations

from pipelines.reference import prefectures, regions
from pipelines.reports.marts import rows, stat
from pipelines.reports.model import ComparisonRow


def comparison_rows(con, year, version, level, code, lang) -> tuple[list, list]:
    summaries = {
        (r["area_level"], r["area_code"]): r
        for r in rows(
            con,
            "select * from marts.public_area_year_summary where academic_year = ? "
            "and framework_version = ? and area_level in ('region', 'prefecture')",
            [year, version],
        )
    }

    def row(lvl, c, name, short, grid_row, grid_col, in_area) -> ComparisonRow:
        found = summaries.get((lvl, c))
        return ComparisonRow(
            level=lvl,
            code=c,
            name=name,
            short_name=short,
            grid_row=grid_row,
            grid_col=grid_col,
            in_area=in_area,
            has_data=found is not None,
            schools_reporting=stat(found, "schools_reporting"),
            response_rate=stat(found, "response_rate"),
            avg_benchmarks_achieved=stat(found, "avg_benchmarks_achieved"),
            pct_all_achieved=stat(found, "pct_all_achieved"),
        )

    region_rows = [
        row(
            "region",
            r.code,
            r.name_ja if lang == "ja" else r.name_en,
            r.name_ja if lang == "ja" else r.name_en,
            None,
            None,
            level == "region" and code == r.code,
        )
        for r in regions()
    ]
    prefecture_rows = [
        row(
            "prefecture",
            p.code,
            p.name_ja if lang == "ja" else p.name_en,
            p.short_ja if lang == "ja" else p.name_en,
            p.grid_row,
            p.grid_col,
            (level == "prefecture" and code == p.code)
            or (level == "region" and code == p.region_code),
        )
        for p in prefectures()
    ]
    return region_rows, prefecture_rows
