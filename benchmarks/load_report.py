"""The load test's figures (summarise) and its markdown table (render_markdown), for bench_load.py.

Kept apart from the harness so each stays small: this half only counts and formats.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict

import numpy as np
from bench_paths import shown_path
from load_client import ViewResult

# The query recorded for a Chromium view reached through the sidebar (load_client.browser_user).
SIDEBAR = "(sidebar)"
TARGETS = {"p95_warm_seconds": 1.0, "errors": 0, "peak_rss_mb": 2048.0}


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100, linear between ranks), or None for no values."""
    return float(np.percentile(values, q)) if values else None


def _stats(times: list[float]) -> dict:
    return {
        "views": len(times),
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "max": max(times, default=None),
    }


def summarise(
    *,
    views: list[ViewResult],
    memory: list[float],
    writer: list[dict],
    versions: tuple[str | None, str | None],
    config: dict,
    machine: dict,
    server_errors: list[dict],
    warm_up_errors: list[str],
    stuck_threads: list[str],
) -> dict:
    """The figures of one load run. 'Warm' is a page reached inside a running session: it
    leaves out each session's first view and, for Chromium, the links it opens by URL (each a
    new tab's session: page load, scripts, websocket; bench_pages times those as 'reload')."""
    groups = {"websocket": [v for v in views if v.client.startswith("ws-")]}
    groups["chromium"] = [v for v in views if not v.client.startswith("ws-")]
    summary: dict = {"config": config, "machine": machine, "clients": {}}
    for kind, group in groups.items():
        ok = [v for v in group if v.error is None]
        warm = [
            v.seconds
            for v in ok
            if not v.first_in_session and (kind == "websocket" or v.query == SIDEBAR)
        ]
        pages = sorted({v.page for v in group})
        summary["clients"][kind] = {
            "all": _stats([v.seconds for v in ok]),
            "warm": _stats(warm),
            "errors": len(group) - len(ok),
            "pages": {p: _stats([v.seconds for v in ok if v.page == p]) for p in pages},
        }
    old, new = versions
    served = {"old": 0, "new": 0, "during_switch": 0, "other": 0}
    for v in views:
        if v.version_before == v.version_after == old:
            served["old"] += 1
        elif v.version_before == v.version_after == new:
            served["new"] += 1
        elif v.version_before != v.version_after:
            served["during_switch"] += 1
        else:
            served["other"] += 1
    errors = [v for v in views if v.error]
    config["views_per_second"] = (len(views) - len(errors)) / max(config["duration"], 1e-9)
    websocket = summary["clients"]["websocket"]
    peak = max(memory, default=None)
    summary.update(
        writer=writer,
        snapshot={"before": old, "after": new, "views": served},
        memory_mb={
            "peak": peak,
            "median": statistics.median(memory) if memory else None,
            "samples": len(memory),
        },
        errors=[asdict(v) for v in errors],
        warnings=sorted({w for v in views for w in v.warnings}),
        targets={
            # Met only with warm views measured, and by every kind of client that ran.
            # The issue's measure: the concurrent Streamlit sessions' page times at the server.
            "p95_warm_under_1s": websocket["warm"]["p95"] is not None
            and websocket["warm"]["p95"] < TARGETS["p95_warm_seconds"],
            # Also reported, not the issue's measure: the real browsers' times include drawing
            # the page on the same loaded 2-core machine (with few views, p95 is about the max).
            "chromium_p95_warm_under_1s": all(
                c["warm"]["p95"] < TARGETS["p95_warm_seconds"]
                for kind, c in summary["clients"].items()
                if kind != "websocket" and c["warm"]["p95"] is not None
            ),
            "zero_errors": not errors,
            "memory_under_2gb": peak is not None and peak < TARGETS["peak_rss_mb"],
        },
        views=[
            [v.client, v.page, round(v.started, 2), round(v.seconds, 3), v.error is None]
            for v in views
        ],
        server_errors=server_errors,
        warm_up_errors=warm_up_errors,
        stuck_threads=stuck_threads,
    )
    return summary


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def render_markdown(summary: dict) -> str:
    config, machine, clients = summary["config"], summary["machine"], summary["clients"]
    memory, targets, snap = summary["memory_mb"], summary["targets"], summary["snapshot"]
    met = lambda ok: "met" if ok else "NOT met"  # noqa: E731
    lines = [
        "# Dashboard load test",
        "",
        f"`{shown_path(config['db'])}`: {config['sessions']} websocket sessions + "
        f"{config['browsers']} "
        f"Chromium for {config['duration']:.0f} s (asked {config['seconds']:.0f} s; think "
        f"{config['think'][0]:g}-{config['think'][1]:g} s; seed {config['seed']}; "
        f"{'pages visited once before (uncounted)' if config['warm_up'] else 'a cold server'}; "
        + (
            f"{config['publishes']} bare publish(es) 20 s apart instead of ingest and build). "
            if config.get("publishes")
            else f"ingest and build at nice {config.get('writer_nice', 0)}). "
        )
        + "Machine: "
        f"{machine['cores']} cores, Python {machine['python']}, streamlit {machine['streamlit']}, "
        f"duckdb {machine['duckdb']}; load average at the end {machine['load_average_end']}; "
        f"CPU seconds used by the server {machine['cpu_seconds']['server']}, by this harness "
        f"(websocket clients, not Chromium) {machine['cpu_seconds']['harness']}.",
        "",
        f"Pages served: {config['views_per_second']:.2f} views/s (all clients, without errors).",
        "",
        "| clients | views | errors | p50 | p95 | max | warm p50 | warm p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, c in clients.items():
        lines.append(
            f"| {kind} | {c['all']['views']} | {c['errors']} | {_s(c['all']['p50'])} | "
            f"{_s(c['all']['p95'])} | {_s(c['all']['max'])} | {_s(c['warm']['p50'])} | "
            f"{_s(c['warm']['p95'])} |"
        )
    lines += [
        "",
        "Warm: pages reached inside a running session, i.e. not a session's first view and, for "
        "Chromium, moves through the sidebar only (a link opened by URL starts a new session).",
        "",
        "| page (websocket) | views | p50 | p95 | max |",
        "|---|---:|---:|---:|---:|",
    ]
    for page, s in clients["websocket"]["pages"].items():
        lines.append(
            f"| {page} | {s['views']} | {_s(s['p50'])} | {_s(s['p95'])} | {_s(s['max'])} |"
        )
    lines += [
        "",
        "| writer | start | end | seconds | exit code | rows loaded |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for w in summary["writer"]:
        took = (
            w["ended"] - w["started"]
            if w["ended"] is not None and w["started"] is not None
            else None
        )
        lines.append(
            f"| {w['command']} | {_s(w['started'])} | {_s(w['ended'])} | {_s(took)} | "
            f"{w['exit_code']} | {w['rows_loaded'] if w['rows_loaded'] is not None else '-'} |"
        )
    refused = [f for w in summary["writer"] for f in w["not_loaded"]]
    lines += [f"- refused by ingest: {f}" for f in refused[:10]]
    peak = "-" if memory["peak"] is None else f"{memory['peak']:.0f} MB"
    median = "-" if memory["median"] is None else f"{memory['median']:.0f} MB"
    lines += [
        "",
        f"Snapshot {snap['before']} -> {snap['after']}: views served from the old one "
        f"{snap['views']['old']}, the new one {snap['views']['new']}, during the switch "
        f"{snap['views']['during_switch']} (the published version when each view was asked "
        "for and when it finished).",
        f"Server memory (process and children): peak {peak}, median {median} "
        f"({memory['samples']} samples).",
        "",
        "| target | result |",
        "|---|---|",
        f"| warm page p95 < 1 s under load (websocket sessions) | "
        f"{met(targets['p95_warm_under_1s'])} |",
        f"| the same for the Chromium users (drawing included; no target) | "
        f"{met(targets['chromium_p95_warm_under_1s'])} |",
        f"| zero errors | {met(targets['zero_errors'])} |",
        f"| server memory < 2 GB | {met(targets['memory_under_2gb'])} |",
    ]
    if summary["errors"]:
        lines += ["", "Errors (first 20):", ""]
        for e in summary["errors"][:20]:
            lines.append(
                f"- {e['client']} {e['page']}?{e['query']} at {e['started']:.1f} s: {e['error']}"
            )
    if summary["warm_up_errors"]:
        lines += [
            "",
            "Errors during the warm-up:",
            "",
            *(f"- {e}" for e in summary["warm_up_errors"]),
        ]
    if summary["stuck_threads"]:
        lines += ["", "The server was stuck at the end; its dashboard threads then:", ""]
        for stack in summary["stuck_threads"][:8]:
            lines += ["```", stack, "```"]
    for entry in summary["server_errors"][:5]:
        lines += ["", f"Server log, {entry['count']} x {entry['message']}:", "", "```"]
        lines += [*entry["traceback"][-12:], "```"]
    if summary["warnings"]:
        lines += ["", "Warnings shown:", "", *(f"- {w}" for w in summary["warnings"][:10])]
    return "\n".join(lines) + "\n"
