"""生徒の記録 / Student's record: every activity of a student's journey, for their school only.

A school's own users see the students on their school's current roll; the query layer refuses
anyone else (dashboard/queries/students.py), and the page is registered for school logins only.
Every record viewed and every handover sheet made is in the audit log.
"""

from datetime import date

import polars as pl
import streamlit as st

from dashboard import access, data, ui
from dashboard.filters import ANY, url_selectbox
from dashboard.queries import schools as q_schools
from dashboard.queries import students as q_students
from dashboard.text import md
from pipelines.reference import activity_types

FORMATS = {"pdf": "application/pdf", "xlsx": "application/vnd.ms-excel"}


def render() -> None:
    lang, scope = ui.lang(), ui.scope()
    ui.page_title("page_student_record")
    if not scope.is_school:
        st.info(ui.m("record_school_only"))
        return
    school = scope.codes[0]
    try:
        roll = data.query(q_students.current_roll, scope, school=school)
    except q_students.StudentRecordDenied:
        access.record_once("denied", f"student_record={school}")
        st.info(ui.m("record_school_only"))
        return
    info = data.query(q_schools.school_info, scope, school=school)
    school_name = info.item(0, "school_name") if not info.is_empty() else school
    st.caption(ui.m_md("record_caption", school=school_name, students=roll.height))
    if roll.is_empty():
        st.info(ui.m("record_no_roll"))
        return
    grades = dict(zip(roll["student_ref"], roll["grade"], strict=True))
    student = url_selectbox(
        "student",
        ui.m("record_choose"),
        [ANY, *grades],
        st.query_params.get("student") if st.query_params.get("student") in grades else ANY,
        lambda ref: (
            ui.m("record_student_option", ref=ref, grade=grades[ref])
            if ref in grades
            else ui.m("record_none_chosen")
        ),
    )
    if student:
        _record(scope, school, school_name, student, lang)
    _cohort(scope, school, school_name, roll, lang)


def _record(scope, school: str, school_name: str, student: str, lang: str) -> None:
    access.record_once("view_student", f"{school}:{student}")
    rows = data.query(q_students.student_record, scope, school=school, student=student)
    st.subheader(ui.m_md("record_title", ref=student))
    if rows.is_empty():
        st.info(ui.m("record_no_activities"))
    else:
        done, meaningful, schools = st.columns(3)
        done.metric(ui.m("record_metric_activities"), rows.height)
        meaningful.metric(
            ui.m("record_metric_meaningful"),
            rows.filter(pl.col("meaningful")).height,
            help=ui.m("record_meaningful_help"),
        )
        schools.metric(ui.m("record_metric_schools"), rows["school_code"].n_unique())
        st.dataframe(_table(rows, lang), hide_index=True, placeholder="—", key="record_table")
    skills = data.query(q_students.student_skills, scope, school=school, student=student)
    _skills(skills, lang)
    _exports(scope, school, school_name, student, rows, lang, skills)


def _skills(skills: pl.DataFrame, lang: str) -> None:
    """The student's latest step per skill in each year of their journey, teacher and self."""
    if skills.is_empty():
        return
    from pipelines.skills_framework import skills_framework

    framework = skills_framework()
    names = {s.id: s.name(lang) for s in framework.skills}
    st.markdown(f"#### {md(ui.m('record_skills_title'))}")
    table = skills.select(
        pl.col("academic_year").alias(ui.m("col_year")),
        pl.format("{} ({})", pl.col("school_name").fill_null(""), pl.col("school_code")).alias(
            ui.m("record_col_assessed_at")
        ),
        pl.col("grade").alias(ui.m("record_col_grade")),
        pl.col("skill_id")
        .replace_strict(names, default=pl.col("skill_id"))
        .alias(ui.m("record_col_skill")),
        pl.col("teacher_step").alias(ui.m("record_col_teacher_step")),
        pl.col("self_step").alias(ui.m("record_col_self_step")),
    )
    st.dataframe(table, hide_index=True, placeholder="—", key="record_skills")
    if framework.provisional_ja:
        st.caption(md(framework.note_en if lang == "en" else framework.note_ja))


def _table(rows: pl.DataFrame, lang: str) -> pl.DataFrame:
    labels = {code: getattr(a, f"name_{lang}") for code, a in activity_types().items()}

    def mark(column: str) -> pl.Expr:
        return (
            pl.when(pl.col(column))
            .then(pl.lit(ui.m("record_yes")))
            .when(~pl.col(column))
            .then(pl.lit(ui.m("record_no")))
            .otherwise(pl.lit(ui.m("record_unknown")))
        )

    return rows.select(
        pl.col("activity_date")
        .cast(pl.Date)
        .dt.strftime("%Y-%m-%d")
        .alias(ui.m("record_col_date")),
        pl.col("academic_year").alias(ui.m("col_year")),
        pl.format("{} ({})", pl.col("school_name").fill_null(""), pl.col("school_code")).alias(
            ui.m("record_col_school")
        ),
        pl.col("grade").alias(ui.m("record_col_grade")),
        pl.col("activity_type")
        .replace_strict(labels, default=pl.col("activity_type"))
        .alias(ui.m("record_col_activity")),
        mark("prepared").alias(ui.m("record_col_prepared")),
        mark("reflected").alias(ui.m("record_col_reflected")),
    )


def _exports(
    scope, school, school_name, student, rows, lang, skills, *, cohort: bool = False
) -> None:
    from pipelines.reports.handover import handover_filename, handover_from_rows

    which = "cohort" if cohort else "one"
    for column, (fmt, mime) in zip(st.columns(len(FORMATS)), FORMATS.items(), strict=True):
        key = f"handover_{which}_{fmt}"
        if column.button(ui.m(f"record_prepare_{which}_{fmt}"), key=f"prepare_{key}"):
            handover = handover_from_rows(
                rows,
                school_code=school,
                school_name=school_name,
                lang=lang,
                made_on=date.today(),
                skills=skills,
            )
            name = handover_filename(handover, None if cohort else student, fmt)
            access.record("export", name, f"lang={lang}")
            st.session_state[key] = (student, lang, name, _render(handover, fmt))
        made = st.session_state.get(key)
        if made and made[:2] == (student, lang):
            column.download_button(
                ui.m(f"download_{fmt}"),
                made[3],
                made[2],
                mime,
                key=f"download_{key}",
                on_click="ignore",
            )


def _render(handover, fmt: str) -> bytes:
    if fmt == "pdf":
        from pipelines.reports.handover import render_handover_pdf

        return render_handover_pdf(handover)
    from pipelines.reports.handover_xlsx import render_handover_xlsx

    return render_handover_xlsx(handover)


def _cohort(scope, school: str, school_name: str, roll: pl.DataFrame, lang: str) -> None:
    leaving = roll.filter(pl.col("final_year"))
    st.markdown(f"#### {md(ui.m('record_cohort_title'))}")
    if leaving.is_empty():
        st.caption(ui.m("record_cohort_none"))
        return
    st.caption(ui.m("record_cohort_caption", students=leaving.height))
    rows = data.query(q_students.leaving_cohort_records, scope, school=school)
    # Students with no activity still get their page on the sheet.
    missing = leaving.filter(~pl.col("student_ref").is_in(rows["student_ref"].implode()))
    if not missing.is_empty():
        rows = pl.concat(
            [rows, missing.select("student_ref", pl.col("grade").alias("current_grade"))],
            how="diagonal_relaxed",
        ).sort("student_ref", "activity_date", nulls_last=True)
    skills = data.query(q_students.leaving_cohort_skills, scope, school=school)
    _exports(scope, school, school_name, "", rows, lang, skills, cohort=True)


ui.run_page(render)
