"""How benchmark reports name files: relative to the repository, never as this machine's path.

The reports end up in docs/performance.md, which is committed: an absolute path there would name
the machine it was measured on and point nowhere in anyone else's clone.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def shown_path(path: str | Path) -> str:
    """`path` relative to the repository; a file outside it (a temporary folder) by name only."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(ROOT).as_posix()
    except ValueError:
        return f"<outside the repository>/{resolved.name}"


def without_machine_paths(text: str) -> str:
    """`text` with every mention of the repository's absolute location made relative, and
    Python's own install folder (in a stuck server's stack traces) shown as `<python>`."""
    return text.replace(f"{ROOT.as_posix()}/", "").replace(f"{sys.base_prefix}/", "<python>/")
