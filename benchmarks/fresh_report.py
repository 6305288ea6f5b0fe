"""The Markdown page of benchmarks/bench_fresh.py (benchmarks/out/fresh.md): one row per
warehouse size, then the largest size's two more files and the target's ratio."""

from __future__ import annotations

import os

TARGET_SECONDS = 5.0  # issue 17: from the file arriving to the dashboard showing it


def page_lines(figures: list[dict], growth: float, growth_halved: float) -> list[str]:
    """`figures`: bench_fresh's, smallest first; `growth`: largest / smallest (whole hubs);
    `growth_halved`: largest / the half with every hub halved."""
    small, large = figures[0], figures[-1]
    return [
        "# Benchmark: freshness after one school's one-row return file",
        "",
        f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} when done.",
        "",
        "| warehouse | returns rows | full build s (CPU s) | ingest s | build s (models / audits /"
        " publish) | ingest + build s, median (its CPU s; the five files) | kind of build | "
        "row shown | load |",
        "|---|---:|---:|---:|---|---:|---|---|---:|",
        *(
            f"| {f['fraction']:g} x national"
            f"{f' ({label})' if (label := f['subset_label']) else ''} | "
            f"{f['raw_rows']['returns']:,} | "
            f"{f['full_build_seconds']:.2f} ({f['full_build_cpu_seconds']:.1f}) | "
            f"{f['ingest_seconds']:.2f} | "
            f"{f['build_seconds']:.2f} ({f['model_seconds']:.2f} / {f['audit_seconds']:.2f} / "
            f"{f['publish_seconds']:.2f}) | **{f['fresh_seconds']:.2f}** "
            f"({f['fresh_cpu_seconds']:.1f}; {' / '.join(f'{x:.2f}' for x in f['fresh_samples'])}) "
            "| "
            f"{'full: ' + str(f['build_reason']) if f['build_full'] else 'incremental'} | "
            f"{'yes' if f['shown'] else 'NO'} | {f['load_average']:.1f} |"
            for f in figures
        ),
        "",
        "Published (largest warehouse): "
        f"{large['publish_written_mb']:.1f} MB of files written for a snapshot of "
        f"{large['snapshot_mb']:.0f} MB (the unchanged marts' files are reused).",
        "",
        "Slowest steps of the incremental build (largest warehouse): "
        + ", ".join(f"{name} {sec:.2f} s" for name, sec in large["slowest"]),
        "",
        *commands_lines(large.get("commands")),
        *next_day_lines(large.get("next_day")),
        *compaction_lines(large.get("compaction")),
        f"Target: under {TARGET_SECONDS:g} s, not growing with the warehouse: largest / smallest "
        f"= {growth:.2f}x for {large['fraction'] / small['fraction']:g}x the data (whole hubs "
        f"kept; with every hub halved instead, {growth_halved:.2f}x: there the same school's "
        "hub holds twice the schools, whose flags its file rebuilds).",
        "",
    ]


def commands_lines(found: dict | None) -> list[str]:
    if not found:
        return []
    return [
        "Another school's one-row file through `shirube ingest FILE` and `shirube build` (each "
        "a new process, as a writer's timer runs them; largest warehouse): "
        f"**{found['fresh_seconds']:.2f} s** (ingest {found['ingest_seconds']:.2f} s, build "
        f"{found['build_seconds']:.2f} s; exit codes {found['exit_codes']}; row shown: "
        f"{'yes' if found['shown'] else 'NO'}).",
        "",
    ]


def next_day_lines(found: dict | None) -> list[str]:
    if not found:
        return []
    kind = f"full: {found['build_reason']}" if found["build_full"] else "incremental"
    return [
        f"The next school's one-row file on the next day (build date {found['build_date']}, "
        f"largest warehouse): **{found['fresh_seconds']:.2f} s** ({kind} build "
        f"{found['build_seconds']:.2f} s: models {found['model_seconds']:.2f}, audits "
        f"{found['audit_seconds']:.2f}, publish {found['publish_seconds']:.2f}; row shown: "
        f"{'yes' if found['shown'] else 'NO'}).",
        "",
    ]


def compaction_lines(found: dict | None) -> list[str]:
    if not found:
        return []
    if found["fresh_seconds"] is None:
        return [f"No mart's layers were compacted in {found['files']} more files (expected).", ""]
    return [
        "More schools' one-row files after those, until one compacted the marts' layers (each "
        "changed mart's file copied with its layers' rows replaced, once per nine changes of a "
        f"mart; here file {found['files']} after those, {found['compacted']} marts): "
        f"**{found['fresh_seconds']:.2f} s** (build {found['build_seconds']:.2f} s, publish "
        f"{found['publish_seconds']:.2f} s; row shown: {'yes' if found['shown'] else 'NO'}).",
        "",
    ]
