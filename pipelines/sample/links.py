"""Students who move on: feeder schools, student links (生徒の引継ぎ) and prepared/reflected.

The sample's students move up: an elementary school's sixth-years appear the next April on a
junior high's roster as first-years, and a junior high's third-years on a high school's. Each
feeder sends most of its leavers to a school of the next stage in its own municipality and some
(ACROSS_SHARE) to one elsewhere in the prefecture; the receiving school's first-years are paired
with the arriving leavers, and each pair is written as a link. Students of the receiving school
left unpaired came from schools outside the sample, as in life.

Each activity also says whether the student prepared for it and reflected on it afterwards
(blank for some: not every school records it).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.i18n import t
from pipelines.sample import dress as d
from pipelines.sample.manifest import SampleFile

NEXT_STAGE = {"B1": "C1", "C1": "D1"}
LAST_GRADE = {"B1": 6, "C1": 3}
ACROSS_SHARE = 0.15
PREPARED = (0.72, 0.12)  # yes, no; the rest blank (unknown)
REFLECTED_IF_PREPARED = (0.85, 0.08)
REFLECTED_OTHERWISE = (0.4, 0.3)
LINK_COLUMNS = ["from_school_code", "from_student_ref", "to_school_code", "to_student_ref"]


def _same_place(registry: pl.DataFrame, school: dict, type_code: str) -> pl.DataFrame:
    """Schools of `type_code` in the school's municipality, else in its prefecture."""
    kind = registry.filter(pl.col("type_code") == type_code)
    local = kind.filter(pl.col("municipality_code") == school["municipality_code"])
    return (
        local
        if local.height
        else kind.filter(pl.col("prefecture_code") == school["prefecture_code"])
    )


def with_feeders(
    rng: np.random.Generator, registry: pl.DataFrame, chosen: pl.DataFrame
) -> pl.DataFrame:
    """`chosen` plus a junior high feeding each chosen high school and an elementary school
    feeding each junior high (same municipality when there is one), in registry order."""
    codes = set(chosen["school_code"])
    for receiving, feeder in (("D1", "C1"), ("C1", "B1")):
        present = registry.filter(pl.col("school_code").is_in(list(codes)))
        for school in present.filter(pl.col("type_code") == receiving).iter_rows(named=True):
            options = _same_place(registry, school, feeder)
            if options.height and not options["school_code"].is_in(list(codes)).any():
                codes.add(options["school_code"][int(rng.integers(options.height))])
    return registry.filter(pl.col("school_code").is_in(list(codes)))


def build_links(
    rng: np.random.Generator,
    schools: pl.DataFrame,
    roster: pl.DataFrame,
    years: list[int],
    today: date,
) -> pl.DataFrame:
    """One row per student who moved between two of `schools` within the years: a feeder's
    final-year student of year Y-1 paired with a first-year of the receiving school in Y."""
    rows: list[tuple] = []
    by_school = {
        (code, year): group
        for (code, year), group in roster.group_by(
            ["school_code", "academic_year"], maintain_order=True
        )
    }

    def students(code: str, year: int, grade: int) -> list[str]:
        group = by_school.get((code, year))
        if group is None:
            return []
        return group.filter(pl.col("grade") == grade)["student_ref"].to_list()

    destinations: dict[str, tuple[str, str | None]] = {}
    for school in schools.filter(pl.col("type_code").is_in(list(NEXT_STAGE))).iter_rows(named=True):
        options = _same_place(schools, school, NEXT_STAGE[school["type_code"]])
        if not options.height:
            continue
        main = options["school_code"][int(rng.integers(options.height))]
        others = schools.filter(
            (pl.col("type_code") == NEXT_STAGE[school["type_code"]])
            & (pl.col("prefecture_code") == school["prefecture_code"])
            & (pl.col("school_code") != main)
        )
        alt = others["school_code"][int(rng.integers(others.height))] if others.height else None
        destinations[school["school_code"]] = (main, alt)
    types = dict(zip(schools["school_code"], schools["type_code"], strict=True))
    for year in years[1:]:
        arriving: dict[str, list[tuple[str, str]]] = {}
        for feeder, (main, alt) in destinations.items():
            for ref in students(feeder, year - 1, LAST_GRADE[types[feeder]]):
                to = alt if alt and rng.random() < ACROSS_SHARE else main
                arriving.setdefault(to, []).append((feeder, ref))
        linked_on = min(date(year, 4, 1), today)
        for to, leavers in sorted(arriving.items()):
            first_years = students(to, year, 1)
            order = rng.permutation(len(leavers))
            for (feeder, ref), new_ref in zip(
                (leavers[i] for i in order), first_years, strict=False
            ):
                rows.append((feeder, ref, to, new_ref, linked_on))
    return pl.DataFrame(
        rows,
        schema={**dict.fromkeys(LINK_COLUMNS, pl.String), "linked_on": pl.Date},
        orient="row",
    ).join(
        schools.select(pl.col("school_code").alias("to_school_code"), "prefecture_code"),
        on="to_school_code",
        how="left",
        maintain_order="left",
    )


def with_preparation(rng: np.random.Generator, activities: pl.DataFrame) -> pl.DataFrame:
    """prepared / reflected per activity: True, False or null (unknown)."""

    def draw(p_yes: np.ndarray, p_no: np.ndarray) -> pl.Series:
        u = rng.random(activities.height)
        return (
            pl.Series(np.where(u < p_yes, 1, np.where(u < p_yes + p_no, 0, -1)))
            .replace(-1, None)
            .cast(pl.Boolean)
        )

    n = activities.height
    prepared = draw(np.full(n, PREPARED[0]), np.full(n, PREPARED[1]))
    was = prepared.fill_null(False).to_numpy()
    reflected = draw(
        np.where(was, REFLECTED_IF_PREPARED[0], REFLECTED_OTHERWISE[0]),
        np.where(was, REFLECTED_IF_PREPARED[1], REFLECTED_OTHERWISE[1]),
    )
    return activities.with_columns(prepared.alias("prepared"), reflected.alias("reflected"))


def spell_yes_no(value: pl.Expr, style: d.Style) -> pl.Expr:
    """The yes/no the file's sender would write: yes/no in English files; はい/いいえ, ○/× or
    full-width １/０ in Japanese ones; blank when unknown."""
    if not style.japanese:
        yes, no = "yes", "no"
    elif style.fullwidth_numbers:
        yes, no = "１", "０"
    elif style.activity_label:
        yes, no = "はい", "いいえ"
    else:
        yes, no = "○", "×"
    return pl.when(value).then(pl.lit(yes)).when(~value).then(pl.lit(no)).otherwise(None)


def write_bad_links(
    out_dir: Path, folder: str, registry: pl.DataFrame, links: pl.DataFrame, created
) -> list[SampleFile]:
    """9_with_errors/8_links_errors.csv: an unknown school, the same student at both ends, and
    a link that closes a loop with a link of the clean sample; described in README.txt."""
    known = set(registry["school_code"])
    first = registry.row(0, named=True)
    number = 9_990_401
    from pipelines.codes import make_school_code

    while make_school_code("C1", first["prefecture_code"], "2", number) in known:
        number += 1
    unknown = make_school_code("C1", first["prefecture_code"], "2", number)
    school = first["school_code"]
    rows = [
        (
            [school, "S990011", unknown, "S990012", "2025-04-01"],
            "to_school_code",
            "err_unknown_school",
        ),
        (
            [school, "S990013", school, "S990013", "2025-04-01"],
            "to_student_ref",
            "err_link_same_student",
        ),
    ]
    if links.height:
        f_code, f_ref, t_code, t_ref = links.row(0)[:4]
        rows.append(
            ([t_code, t_ref, f_code, f_ref, "2025-05-01"], "from_school_code", "err_link_loop")
        )
    columns = [*LINK_COLUMNS, "linked_on"]
    frame = pl.DataFrame(
        [r for r, _c, _k in rows], schema=dict.fromkeys(columns, pl.String), orient="row"
    )
    frame = frame.rename(dict(zip(columns, d.headers_for(columns, d.Style(True)), strict=True)))
    name = "8_links_errors.csv"
    d.write_file(frame, out_dir / folder / name, d.CP932_CSV_JA, created=created)
    readme = out_dir / folder / "README.txt"
    lines = []
    for lang in ("ja", "en"):
        for i, (values, column, reason) in enumerate(rows):
            lines.append(
                t(
                    "sample.readme_row",
                    lang,
                    file=name,
                    row=i + 2,
                    column=column,
                    value=values[columns.index(column)],
                    reason=t(f"sample.{reason}", lang),
                )
            )
    if readme.exists():
        readme.write_text(readme.read_text("utf-8") + "\n".join(lines) + "\n", encoding="utf-8")
    return [SampleFile(Path(folder) / name, "links", d.CP932_CSV_JA, frame.height, clean=False)]
