"""The rules a data row must keep, as SQL over the staged file, with a reason per broken rule.

`rules_for` lists the rules of one kind of file as SQL conditions over `norm` (the typed staged
file, see `staging`); `quarantine_sql` returns one row per (data row, broken rule) with the reason
in Japanese and English, filled in by SQL from the message catalogue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipelines.framework import CRITERION_KINDS
from pipelines.i18n import catalogue
from pipelines.ingest import skills
from pipelines.ingest.normalise import sql_str
from pipelines.ingest.reading import ParsedFile
from pipelines.settings import frameworks, settings


@dataclass(frozen=True)
class Rule:
    """One rule: rows of `norm` where `bad` holds break it. Message key: ingest.rule_<name>."""

    name: str
    column: str | None  # staged column whose header and value are reported; None: whole row
    bad: str
    # placeholder -> SQL expression, or (placeholder, SQL in Japanese, SQL in English)
    params: tuple[tuple[str, ...], ...] = ()
    warn: bool = False  # load the row anyway, record a warning


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


# The same character class as the reader's CONTROL_PATTERN, in RE2 (DuckDB) syntax.
_CONTROL_SQL = sql_str("[\\x00-\\x1F\\x7F-\\x9F]")


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
                f"regexp_matches({column}, {_CONTROL_SQL})",
                (("char", f"printf('U+%04X', unicode(regexp_extract({column}, {_CONTROL_SQL})))"),),
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


def shown_value_sql(column: str | None, lang: str | None = None) -> str:
    """SQL for a value as shown in a reason or the quarantine: control characters replaced by
    U+FFFD (never stored, never echoed to a terminal) and, past [ingest] shown_value_chars,
    cut with an ellipsis and the value's length, so a 10 MB value is never repeated."""
    if not column:
        return "null"
    limit = int(settings()["ingest"]["shown_value_chars"])
    clean = f"regexp_replace({column}, {_CONTROL_SQL}, '\ufffd', 'g')"
    if lang is None:
        tail = f"'… (' || length({column}) || ' 文字/chars)'"
    else:
        template = catalogue()["ingest.value_truncated"][lang]
        tail = f"replace({sql_str(template)}, '{{length}}', cast(length({column}) as varchar))"
    return (
        f"case when length({column}) > {limit} "
        f"then left({clean}, {limit}) || {tail} else {clean} end"
    )


def _reason_sql(template: str, rule: Rule, column_label: str | None, lang: str) -> str:
    values = {p[0]: (p[1] if len(p) == 2 or lang == "ja" else p[2]) for p in rule.params}
    values["column"] = sql_str(column_label or "")
    values["value"] = f"shown_{lang}" if rule.column else "''"  # see quarantine_sql
    expr = sql_str(template)
    for name, sql in values.items():
        if "{" + name + "}" in template:
            placeholder = sql_str("{" + name + "}")
            expr = f"replace({expr}, {placeholder}, coalesce(cast({sql} as varchar), ''))"
    return expr


def rule_hits_sql(rules: list[Rule]) -> str:
    """Two list columns over the typed rows: `errors` and `warnings`, the indexes (into `rules`)
    of the rules each row breaks. Evaluated in the same pass that types the rows."""

    def hits(rules_of_kind: list[tuple[int, Rule]]) -> str:
        cases = ", ".join(
            f"case when coalesce({r.bad}, false) then {i} end" for i, r in rules_of_kind
        )
        return f"list_filter([{cases}], lambda x: x is not null)" if cases else "[]::integer[]"

    indexed = list(enumerate(rules))
    errors = hits([(i, r) for i, r in indexed if not r.warn])
    warnings = hits([(i, r) for i, r in indexed if r.warn])
    return f"{errors} as errors, {warnings} as warnings"


def rule_any_sql(rules: list[Rule], *, warn: bool) -> str:
    """SQL true when a row breaks any error rule (warn=False) or any warning rule (warn=True)."""
    chosen = [f"coalesce({r.bad}, false)" for r in rules if r.warn == warn]
    return "(" + " or ".join(chosen) + ")" if chosen else "false"


def quarantine_sql(rules: list[Rule], headers_as_written: dict[str, str]) -> str:
    """One row per (row, broken rule) of `norm`: row_number, column_name, value, rule, reasons,
    warn. Only rows that break a rule are unnested and given their reasons."""

    def by_rule(expr_of) -> str:
        whens = " ".join(f"when {i} then {expr_of(r)}" for i, r in enumerate(rules))
        return f"case rule_index {whens} end"

    def label(rule: Rule) -> str | None:
        return headers_as_written.get(rule.column) if rule.column else None

    def reason(lang: str):
        def expr(rule: Rule) -> str:
            template = catalogue()[f"ingest.rule_{rule.name}"][lang]
            return _reason_sql(template, rule, label(rule), lang)

        return expr

    warn = [str(i) for i, r in enumerate(rules) if r.warn] or ["-1"]
    # The offending value is picked once per (row, rule), then cleaned and cut once per
    # language, rather than inside every rule's branch of every reason.
    broken = (
        "select *, unnest(list_concat(errors, warnings)) as rule_index from norm "
        "where len(errors) + len(warnings) > 0"
    )
    picked = f"select *, {by_rule(lambda r: r.column or 'null')} as raw_value from ({broken})"
    shown = (
        f"select *, {shown_value_sql('raw_value')} as shown, "
        f"{shown_value_sql('raw_value', 'ja')} as shown_ja, "
        f"{shown_value_sql('raw_value', 'en')} as shown_en from ({picked})"
    )
    return (
        "select row_number, "
        f"{by_rule(lambda r: sql_str(label(r)) if label(r) else 'null')} as column_name, "
        "shown as value, "
        f"{by_rule(lambda r: sql_str(r.name))} as rule, "
        f"{by_rule(reason('ja'))} as reason_ja, "
        f"{by_rule(reason('en'))} as reason_en, "
        f"rule_index in ({', '.join(warn)}) as warn, "
        f"len(errors) > 0 as row_rejected from ({shown})"
    )
