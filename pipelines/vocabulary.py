"""The project's fixed lists, each defined once here and imported wherever it is needed.

File kinds live with the header rules that recognise them (pipelines.ingest.headers.KINDS).
"""

from __future__ import annotations

# Area levels, from the largest; every school has one area at each level (a hub only if it is in
# one). The codes: national "JP", region "R1"-"R8", prefecture "01"-"47", municipality 5 digits,
# hub the hub code (docs/data-contract.md).
AREA_LEVELS = ("national", "region", "prefecture", "municipality", "hub")

# Support-flag severities and the rank the needs-support list sorts by (most severe first).
SEVERITY_RANKS = {"high": 3, "medium": 2, "low": 1}
SEVERITIES = tuple(SEVERITY_RANKS)

# What a downloaded file of each format is served as (reports and exports).
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}
