"""The rules a data row must keep, as SQL over the staged file, with a reason per broken rule.

`rules_for` lists the rules of one kind of file as SQL conditions over `norm` (the typed staged
file, see `staging`); `rule_sql` turns them into the queries that find the rows breaking them and
give each broken rule its reason in Japanese and English.
"""

from __future__ import annotations

import datetime as dt

from pipelines.framework import CRITERION_KINDS
from pipelines.i18n import catalogue
from pipelines.ingest import skills
from pipelines.ingest.normalise import sql_str
from pipelines.ingest.reading import ParsedFile
from pipelines.ingest.rule_sql import CONTROL_SQL, Rule
from pipelines.settings import frameworks, settings


def today_in_japan() -> dt.date:
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo("Asia/Tokyo")).date()


def _required(columns: list[str], present: set[str]) -> list[Rule]:
    return [Rule("required_missing", c, f"{c} is null") for c in columns if c in present]


def _school_code_rules(kind: str, allowed: bool) -> list[Rule]:
    warn = settings()["ingest"]["school_code_check_digit"] == "warn"
    rules = [
        Rule("school_code_format", "f_school_code", "f_school_code is not null and not code_ok"),
        Rule(
            "school_code_check_digit",
            "f_school_code",
            "code_ok and not check_ok",
            (("expected", "check_expected"),),
            warn=warn,
        ),
    ]
    known = "code_ok" if warn else "code_ok and check_ok"
    if kind != "schools":
        rules.append(Rule("school_unknown", "f_school_code", f"{known} and not code_known"))
    if allowed:
        rules.append(Rule("school_out_of_scope", "f_school_code", f"{known} and not in_scope"))
    return rules


def _year_rules(present: set[str], today: dt.date) -> list[Rule]:
    if "f_academic_year" not in present:
        return []
    latest = today.year - (1 if today.month < 4 else 0) + 1
    return [
        Rule(
            "academic_year_invalid",
            "f_academic_year",
            "f_academic_year is not null and year is null",
        ),
        Rule(
            "academic_year_out_of_range",
            "f_academic_year",
            f"year is not null and (year < 2000 or year > {latest})",
            (("min", "2000"), ("max", str(latest))),
        ),
    ]


def _date_rules(column: str, parsed: str, today: dt.date) -> list[Rule]:
    return [
        Rule("date_invalid", column, f"{column} is not null and {parsed} is null"),
        Rule(
            "date_in_future",
            column,
            f"{parsed} > date '{today.isoformat()}'",
            (("today", f"date '{today.isoformat()}'"),),
        ),
    ]


def _grade_rules() -> list[Rule]:
    return [
        Rule("grade_invalid", "f_grade", "f_grade is not null and grade_n is null"),
        Rule(
            "grade_out_of_range",
            "f_grade",
            "grade_n is not null and code_ok "
            "and (grade_min is null or grade_n < grade_min or grade_n > grade_max)",
            (("min", "grade_min"), ("max", "grade_max"), ("type", "type_ja", "type_en")),
        ),
    ]


_CODE_PREFECTURE = ("code_prefecture", "prefecture_ja", "prefecture_en")
_CODE_TYPE = ("code_type", "type_ja", "type_en")


def _text_rules(parsed: ParsedFile) -> list[Rule]:
    """Too long a value, or a control character, in any column; added only for columns the
    reader saw break them, so a clean file's check stays as small as before."""
    limits = settings()["ingest"]["max_chars"]
    rules = []
    for column, longest in sorted((parsed.longest or {}).items()):
        limit = limits.get(column.removeprefix("f_"))
        if limit is not None and longest > int(limit):
            rules.append(
                Rule(
                    "text_too_long",
                    column,
                    f"length({column}) > {int(limit)}",
                    (("length", f"length({column})"), ("limit", str(int(limit)))),
                )
            )
    for column in sorted(parsed.control_columns):
        rules.append(
            Rule(
                "control_character",
                column,
                f"regexp_matches({column}, {CONTROL_SQL})",
                (("char", f"printf('U+%04X', unicode(regexp_extract({column}, {CONTROL_SQL})))"),),
            )
        )
    return rules


def rules_for(parsed: ParsedFile, *, allowed: bool, today: dt.date) -> list[Rule]:
    present = set(parsed.frame.columns)
    if parsed.kind == "links":
        from pipelines.ingest.links import link_rules

        return link_rules(present, allowed=allowed, today=today) + _text_rules(parsed)
    rules = _required(["f_school_code"], present) + _school_code_rules(parsed.kind, allowed)
    rules += _text_rules(parsed)
    if parsed.kind == "schools":
        rules += _required(["f_school_name", "f_municipality_code"], present)
        rules += [
            Rule(
                "municipality_code_invalid",
                "f_municipality_code",
                "f_municipality_code is not null and municipality5 is null",
            ),
            Rule(
                "municipality_prefecture_mismatch",
                "f_municipality_code",
                "municipality5 is not null and code_ok "
                "and substr(municipality5, 1, 2) <> code_prefecture",
                (_CODE_PREFECTURE,),
            ),
        ]
        if "f_enrolment" in present:
            rules.append(
                Rule(
                    "enrolment_invalid",
                    "f_enrolment",
                    "f_enrolment is not null and (enrolment_n is null or enrolment_n < 0 "
                    "or enrolment_n <> floor(enrolment_n))",
                )
            )
        if "f_prefecture" in present:
            rules += [
                Rule(
                    "prefecture_unknown",
                    "f_prefecture",
                    "f_prefecture is not null and prefecture_code is null",
                ),
                Rule(
                    "prefecture_mismatch",
                    "f_prefecture",
                    "prefecture_code is not null and code_ok "
                    "and prefecture_code <> code_prefecture",
                    (_CODE_PREFECTURE,),
                ),
            ]
        if "f_school_type" in present:
            rules += [
                Rule(
                    "school_type_unknown",
                    "f_school_type",
                    "f_school_type is not null and school_type_code is null",
                ),
                Rule(
                    "school_type_mismatch",
                    "f_school_type",
                    "school_type_code is not null and code_ok and school_type_code <> code_type",
                    (_CODE_TYPE,),
                ),
            ]
    elif parsed.kind in ("returns", "criteria"):
        rules += _return_rules(present, today)
    if parsed.kind == "criteria":
        rules += _criteria_rules(present)
    elif parsed.kind == "returns":
        for p in sorted(parsed.header.benchmarks):
            col = f"b{p}"
            rules += [
                Rule("score_not_numeric", col, f"assessed{p} and score{p} is null"),
                Rule("score_out_of_range", col, f"score{p} < 0 or score{p} > 100"),
                Rule(
                    "benchmark_not_in_framework",
                    col,
                    f"assessed{p} and framework_benchmarks < {p}",
                    (("version", "framework_version"),),
                ),
            ]
        unassessed = " and ".join(f"not assessed{p}" for p in parsed.header.benchmarks)
        rules.append(Rule("no_benchmark_assessed", None, unassessed))
    elif parsed.kind == "activities":
        rules += _required(
            ["f_student_ref", "f_grade", "f_activity_type", "f_activity_date"], present
        )
        rules += _grade_rules()
        rules.append(
            Rule(
                "activity_type_unknown",
                "f_activity_type",
                "f_activity_type is not null and activity_code is null",
            )
        )
        rules += _date_rules("f_activity_date", "activity_day", today)
        if "f_hours" in present:
            rules += [
                Rule("hours_invalid", "f_hours", "f_hours is not null and hours_n is null"),
                Rule("hours_negative", "f_hours", "hours_n < 0"),
            ]
        for column in ("prepared", "reflected"):
            if f"f_{column}" in present:
                rules.append(
                    Rule(
                        "yes_no_invalid",
                        f"f_{column}",
                        f"f_{column} is not null and {column}_b is null",
                    )
                )
    elif parsed.kind == "skills":
        rules += skills.rules(parsed, present, today, Rule, _required, _date_rules, _grade_rules)
    elif parsed.kind == "roster":
        rules += _required(["f_academic_year", "f_student_ref", "f_grade"], present)
        rules += _year_rules(present, today)
        rules += _grade_rules()
    return rules


def _return_rules(present: set[str], today: dt.date) -> list[Rule]:
    """What a return's key must keep, whether it comes as percentages or as criteria."""
    rules = _required(["f_academic_year", "f_term", "f_submitted_on"], present)
    rules += _year_rules(present, today)
    rules.append(Rule("term_invalid", "f_term", "f_term is not null and term_n is null"))
    rules += _date_rules("f_submitted_on", "submitted", today)
    rules.append(
        Rule(
            "submitted_before_year",
            "f_submitted_on",
            "submitted is not null and year is not null and submitted < make_date(year, 4, 1)",
            (("year", "year"), ("start", "make_date(year, 4, 1)")),
        )
    )
    versions = [f.version for f in frameworks()]
    if "f_framework" in present:
        rules.append(
            Rule(
                "framework_unknown",
                "f_framework",
                "f_framework is not null and framework_benchmarks is null",
                (("versions", sql_str(", ".join(versions))),),
            )
        )
    return rules


def _expected_answer_sql(lang: str) -> str:
    """The answers a criterion's kind accepts, named in the reason (kind in `criterion_kind`)."""
    whens = " ".join(
        f"when {sql_str(kind)} then {sql_str(catalogue()[f'ingest.answers_{kind}'][lang])}"
        for kind in CRITERION_KINDS
    )
    return f"case criterion_kind {whens} end"


def _criteria_rules(present: set[str]) -> list[Rule]:
    """A criteria-answer row: a criterion of its framework version, an answer fitting its kind."""
    return _required(["f_criterion", "f_answer"], present) + [
        Rule(
            "criterion_unknown",
            "f_criterion",
            "f_criterion is not null and framework_benchmarks is not null "
            "and criterion_kind is null",
            (("version", "framework_version"),),
        ),
        Rule(
            "answer_invalid",
            "f_answer",
            "f_answer is not null and criterion_kind is not null and answer_score is null",
            (
                ("criterion", "criterion_id"),
                ("expected", _expected_answer_sql("ja"), _expected_answer_sql("en")),
            ),
        ),
    ]
