"""A rule a data row must keep, and the SQL made from a list of rules.

A `Rule` is a SQL condition over `norm` (the typed staged file) that holds for the rows breaking
it. `rule_hits_sql` and `rule_any_sql` find those rows; `quarantine_sql` returns one row per
(data row, broken rule) with the reason in Japanese and English, filled in by SQL from the message
catalogue. The rules of each kind of file are listed in `validate`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.i18n import catalogue
from pipelines.ingest.normalise import sql_str
from pipelines.settings import settings


@dataclass(frozen=True)
class Rule:
    """One rule: rows of `norm` where `bad` holds break it. Message key: ingest.rule_<name>."""

    name: str
    column: str | None  # staged column whose header and value are reported; None: whole row
    bad: str
    # placeholder -> SQL expression, or (placeholder, SQL in Japanese, SQL in English)
    params: tuple[tuple[str, ...], ...] = ()
    warn: bool = False  # load the row anyway, record a warning


# The same character class as the reader's CONTROL_PATTERN, in RE2 (DuckDB) syntax.
CONTROL_SQL = sql_str("[\\x00-\\x1F\\x7F-\\x9F]")


def shown_value_sql(column: str | None, lang: str | None = None) -> str:
    """SQL for a value as shown in a reason or the quarantine: control characters replaced by
    U+FFFD (never stored, never echoed to a terminal) and, past [ingest] shown_value_chars,
    cut with an ellipsis and the value's length, so a 10 MB value is never repeated."""
    if not column:
        return "null"
    limit = int(settings()["ingest"]["shown_value_chars"])
    clean = f"regexp_replace({column}, {CONTROL_SQL}, '\ufffd', 'g')"
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
