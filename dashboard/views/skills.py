"""エッセンシャルスキル / Essential skills: an area's students' steps against the nation.

For the sidebar's area (a school's own login: its own school) and year: the weakest skill
against the nation first, then one of five views: each skill's gap by year of schooling, one
skill's growth through school and its distribution of steps, progress within the year, where
self-assessment and teacher assessment disagree, or the table of every skill. Areas outside
the viewer's scope are suppressed below min_students.
"""

import polars as pl
import streamlit as st

from dashboard import charts_skills, data, ui
from dashboard.filters import url_segmented
from dashboard.queries import schools as q_schools
from dashboard.queries import skills as q_skills
from dashboard.skills_insight import matched_gaps
from dashboard.skills_panel import provisional_note, skill_names, weakest_statement
from dashboard.text import md

AREA_LEVELS_SHOWN = ("hub", "municipality", "prefecture", "region", "national")
# One view at a time, chosen above it and kept in the URL (dashboard.filters.url_segmented):
# the five charts and the table together took the browser 0.3 s to draw. No gaps at the
# national level (the nation against itself).
VIEWS = ("gaps", "growth", "progress", "self_teacher", "table")


def _area(scope, f) -> tuple[str, str, str] | None:
    """(level, code, label) the page shows, or None when the sidebar names no area."""
    if scope.is_school:
        school = scope.codes[0]
        info = data.query(q_schools.school_info, scope, school=school)
        name = info.item(0, "school_name") if not info.is_empty() else school
        return "school", school, name
    shown = ui.selection(f)
    if shown.area is None or shown.area[0] not in AREA_LEVELS_SHOWN:
        return None
    return shown.area[0], shown.area[1], ui.selection_label(f)


def render() -> None:
    lang, scope, f = ui.lang(), ui.scope(), ui.filters()
    ui.page_title("page_skills")
    names, skills = skill_names(scope, lang)
    provisional_note(skills, lang)
    area = _area(scope, f)
    if area is None or not f.year:
        st.info(ui.m("skills_pick_area"))
        return
    level, code, label = area
    year = f.year
    rows = data.query(q_skills.area_skills, scope, level=level, code=code, year=year)
    mine = rows.filter(pl.col("which") == "area")
    if mine.is_empty():
        st.info(ui.m("skills_none", area=md(label), year=year))
        return
    st.caption(ui.m("skills_caption", area=md(label), year=year))
    # At the national level the area is the nation: no gap to itself, no second "nation" series.
    national = level == "national"
    if national:
        st.info(ui.m("skills_national_hint"))
    else:
        weakest_statement(rows, names, label, lang)
    if mine["suppressed"].any():
        st.warning(ui.m("skills_suppressed"))
    views = VIEWS[1:] if national else VIEWS
    view = url_segmented(
        "skills_view", ui.m("skills_view"), views, views[0], ui.labels("skills_view_", lang)
    )
    shown = rows.filter(pl.col("which") == "area") if national else rows
    against = "_alone" if national else ""
    if view == "gaps":
        ui.chart(
            ui.figure(
                charts_skills.gap_heatmap,
                rows,
                names,
                lang,
                ui.m("skills_gap_title", area=label, year=year),
            ),
            key="skills_gap",
        )
        st.caption(ui.m("skills_gap_help"))
    elif view == "growth":
        _growth(scope, lang, names, skills, shown, (level, code, label, year), against)
    elif view == "progress":
        ui.chart(
            ui.figure(
                charts_skills.progress_bars,
                shown,
                names,
                label,
                ui.m("level_national"),
                lang,
                ui.m(f"skills_progress_title{against}", area=label, year=year),
            ),
            key="skills_progress",
        )
        st.caption(ui.m("skills_progress_help"))
    elif view == "self_teacher":
        ui.chart(
            ui.figure(
                charts_skills.self_teacher_gap,
                rows,
                names,
                lang,
                ui.m("skills_self_teacher_title", area=label, year=year),
            ),
            key="skills_self_teacher",
        )
    else:
        _table(rows, names, label, year)


def _growth(scope, lang: str, names, skills, shown, area: tuple, against: str) -> None:
    """One skill, chosen here: its mean step by year of schooling, and its students by step."""
    level, code, label, year = area
    skill = st.selectbox(
        ui.m("skills_pick_skill"), list(names), format_func=names.get, key="skills_skill"
    )
    max_step = int(skills.filter(pl.col("skill_id") == skill).item(0, "max_step"))
    ui.chart(
        ui.figure(
            charts_skills.growth_lines,
            shown,
            skill,
            label,
            ui.m("level_national"),
            lang,
            ui.m(f"skills_growth_title{against}", skill=names[skill], area=label, year=year),
        ),
        key="skills_growth",
    )
    dist = data.query(q_skills.step_distribution, scope, level=level, code=code, year=year)
    ui.chart(
        ui.figure(
            charts_skills.distribution,
            dist,
            skill,
            max_step,
            lang,
            ui.m("skills_distribution_title", skill=names[skill], area=label, year=year),
        ),
        key="skills_distribution",
    )
    if not scope.is_everything:
        st.caption(ui.m("skills_distribution_scope"))


def _table(rows: pl.DataFrame, names: dict[str, str], label: str, year: int) -> None:
    def pick(which: str, assessor: str, column: str, alias: str) -> pl.DataFrame:
        return rows.filter(
            (pl.col("which") == which)
            & (pl.col("assessor") == assessor)
            & pl.col("year_of_schooling").is_null()
        ).select("skill_id", pl.col(column).alias(alias))

    table = pl.DataFrame({"skill_id": list(names), "name": list(names.values())})
    for part in (
        pick("area", "teacher", "students_assessed", "students"),
        pick("area", "teacher", "mean_step", "teacher"),
        matched_gaps(rows),
        pick("area", "self", "mean_step", "self"),
        pick("area", "teacher", "mean_progress", "progress"),
    ):
        table = table.join(part, on="skill_id", how="left", maintain_order="left")
    st.markdown(f"##### {ui.m_md('skills_table_title', area=label, year=year)}")
    st.dataframe(
        table.select(
            pl.col("name").alias(ui.m("col_skill")),
            pl.col("students").alias(ui.m("col_students_assessed")),
            pl.col("teacher").round(1).alias(ui.m("col_mean_step_teacher")),
            pl.col("nation_gap").round(1).alias(ui.m("col_compare_step")),
            pl.col("self").round(1).alias(ui.m("col_mean_step_self")),
            pl.col("progress").round(1).alias(ui.m("col_mean_progress")),
        ),
        hide_index=True,
        placeholder="—",
        key="skills_table",
    )
    st.caption(ui.m("skills_table_help"))


ui.run_page(render)
