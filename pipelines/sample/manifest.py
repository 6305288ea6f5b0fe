"""What a sample run wrote: every file with its kind, dress and number of data rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class SampleError(ValueError):
    """A sample that cannot be written as asked (the message is for people, in both languages)."""

    def __init__(self, key: str, **values: object) -> None:
        from pipelines.i18n import both

        self.key, self.values = key, values
        super().__init__(" / ".join(both(f"sample.{key}", **values)))


@dataclass(frozen=True)
class SampleFile:
    path: Path  # relative to the sample folder
    kind: str  # schools | returns | activities | roster | criteria, or unreadable | empty | readme
    dress: str  # cp932_csv_ja | utf8bom_csv_en | xlsx_title_ja | utf8_csv, "" for non-tables
    rows: int  # data rows, not counting title, note and header rows
    clean: bool = True  # False for the deliberately broken files of --with-errors


@dataclass
class SampleManifest:
    out_dir: Path
    files: list[SampleFile] = field(default_factory=list)

    def of_kind(self, kind: str, *, clean: bool = True) -> list[SampleFile]:
        return [f for f in self.files if f.kind == kind and f.clean == clean]

    def rows(self, kind: str) -> int:
        """Data rows of `kind` in the clean files."""
        return sum(f.rows for f in self.of_kind(kind))

    def dresses(self, kind: str) -> set[str]:
        return {f.dress for f in self.of_kind(kind)}
