"""Limits a workbook must keep before any reader is let at it.

A 1.6 KB .xlsx with one cell at XFD1048576 once made the reader allocate 512 GiB and abort, and a
300 KB one carried a 314 MB school name. Both are cheap to see in the zip itself: the parts'
uncompressed sizes, each sheet's `<dimension ref>` and the references of its cells (the box the
reader allocates), and the longest run of text between two tags (a cell's text). The XML is
streamed in chunks and scanned with C-level bytes operations, never parsed into objects, so the
check costs a fraction of the reading it protects. Settings: [ingest.spreadsheet].
"""

from __future__ import annotations

import html
import io
import re
import zipfile

from pipelines.ingest.headers import FileRejected

CHUNK = 8 * 1024 * 1024
# Cell references as Excel and every common writer put them (`<c r="B2"`), and in any other form
# (a namespace prefix, `r` after other attributes), which is scanned the slower general way.
_PLAIN_CELL_REF = re.compile(rb'<c r="([A-Z]{1,7})([0-9]{1,10})"')
_ANY_CELL_REF = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Za-z]{1,7})([0-9]{1,10})"')
_PLAIN_ROW_REF = re.compile(rb'<row r="([0-9]{1,10})"')
_ANY_ROW_REF = re.compile(rb'<(?:\w+:)?row\s[^>]*?\br="([0-9]{1,10})"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s[^>]*?\bref="([^"]{1,64})"')
_REF = re.compile(r"^\$?([A-Za-z]{1,7})\$?([0-9]{1,10})$")
_PLAIN_COLUMN = re.compile(rb'<c r="([A-Z]{1,7})')
# Other spellings of a cell or row element: a whitespace other than a space after its name, or a
# namespace prefix. Each expression starts with a literal, which the regex engine finds quickly.
_ODD_SPELLINGS = tuple(
    re.compile(pattern)
    for pattern in (rb"<c[\t\n\r]", rb"<row[\t\n\r]", rb":c[ \t\n\r]", rb":row[ \t\n\r]")
)


def _no_odd_spelling(xml: bytes) -> bool:
    return not any(odd.search(xml) for odd in _ODD_SPELLINGS)


def _greater_than(number: int) -> bytes:
    """A regular expression for the decimal numbers greater than `number`."""
    digits = str(number)
    options = [b"[1-9][0-9]{%d,}" % len(digits)]  # more digits
    for i, d in enumerate(digits):
        if d != "9":
            rest = len(digits) - i - 1
            options.append(
                digits[:i].encode()
                + b"[%d-9]" % (int(d) + 1)
                + (b"[0-9]{%d}" % rest if rest else b"")
            )
    return b"(?:" + b"|".join(options) + b")"


def column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + (ord(ch) - 64)
    return number


def _is_text_part(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith(".xml") and (
        lowered.startswith("xl/worksheets/") or lowered == "xl/sharedstrings.xml"
    )


class _SheetBox:
    """The farthest row and column a sheet part names (cells, rows and its dimension)."""

    def __init__(self) -> None:
        self.rows = 0
        self.columns = 0

    def see_dimension(self, head: bytes) -> None:
        match = _DIMENSION.search(head)
        if not match:
            return
        for ref in match.group(1).decode("ascii", "replace").split(":"):
            parts = _REF.match(ref)
            if parts:
                self.columns = max(self.columns, column_number(parts.group(1)))
                self.rows = max(self.rows, int(parts.group(2)))

    def see(self, xml: bytes) -> None:
        columns = _PLAIN_COLUMN.findall(xml)
        row_refs = _PLAIN_ROW_REF.findall(xml)
        plain = (
            len(columns) == xml.count(b"<c ")
            and len(row_refs) == xml.count(b"<row ")
            and _no_odd_spelling(xml)
        )
        rows = max(map(int, row_refs), default=0)
        # Excel puts each cell in the row its reference names; a cell below every row element
        # is a forged reference, and only then is every cell's row read (the slow way).
        if plain and not re.search(b'<c r="[A-Z]{1,7}' + _greater_than(rows) + b'"', xml):
            letters = set(columns)
        else:
            refs = _ANY_CELL_REF.findall(xml)
            letters = {c for c, _ in refs}
            rows = max(rows, max((int(r) for _, r in refs), default=0))
            rows = max(rows, max(map(int, _ANY_ROW_REF.findall(xml)), default=0))
        if letters:
            self.columns = max(self.columns, max(column_number(c.decode()) for c in letters))
        self.rows = max(self.rows, rows)


def _too_long_text(xml: bytes, max_chars: int) -> bool:
    """Whether a text between two tags holds more than max_chars characters. A run of that
    many bytes is rare, so only those are decoded and counted."""
    for match in re.finditer(rb">[^<]{%d,}" % max_chars, xml):
        text = html.unescape(match.group()[1:].decode("utf-8", "replace"))
        if len(text) > max_chars:
            return True
    return False


def check_workbook(data: bytes, limits: dict) -> None:
    """Raise FileRejected when the workbook breaks a limit; do nothing otherwise."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        infos = book.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FileRejected("not_a_spreadsheet") from exc
    limit_bytes = int(float(limits["max_uncompressed_mb"]) * 1024 * 1024)
    declared = sum(i.file_size for i in infos)
    if declared > limit_bytes:
        raise FileRejected(
            "workbook_too_large",
            size_mb=f"{declared / 1024 / 1024:,.0f}",
            limit_mb=f"{limits['max_uncompressed_mb']:,}",
        )
    max_chars = int(limits["max_cell_chars"])
    seen = 0
    for info in infos:
        if not _is_text_part(info.filename):
            continue
        box = _SheetBox()
        carry = b""
        try:
            stream = book.open(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError) as exc:
            raise FileRejected("not_a_spreadsheet") from exc
        with stream:
            first = True
            while True:
                try:
                    chunk = stream.read(CHUNK)
                except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                    raise FileRejected("not_a_spreadsheet") from exc
                if not chunk:
                    break
                seen += len(chunk)  # actual bytes: a part may declare a false size
                if seen > limit_bytes:
                    raise FileRejected(
                        "workbook_too_large",
                        size_mb=f"{seen / 1024 / 1024:,.0f}+",
                        limit_mb=f"{limits['max_uncompressed_mb']:,}",
                    )
                if first:
                    box.see_dimension(chunk[:4096])
                    first = False
                buffer = carry + chunk
                cut = buffer.rfind(b"<")
                if cut < 0:
                    cut = 0
                carry = buffer[cut:]  # an element or text that may go on in the next chunk
                if len(carry) > 4 * max_chars + 1024:
                    raise FileRejected("cell_too_long", limit=f"{max_chars:,}")
                whole = buffer[:cut]
                if _too_long_text(whole, max_chars):
                    raise FileRejected("cell_too_long", limit=f"{max_chars:,}")
                box.see(whole)
        if _too_long_text(carry, max_chars):
            raise FileRejected("cell_too_long", limit=f"{max_chars:,}")
        box.see(carry)
        _check_box(box, limits)


def _check_box(box: _SheetBox, limits: dict) -> None:
    max_rows = int(limits["max_rows"])
    max_columns = int(limits["max_columns"])
    max_cells = int(limits["max_cells"])
    if box.rows > max_rows or box.columns > max_columns or box.rows * box.columns > max_cells:
        raise FileRejected(
            "sheet_too_large",
            rows=f"{box.rows:,}",
            columns=f"{box.columns:,}",
            max_rows=f"{max_rows:,}",
            max_columns=f"{max_columns:,}",
            max_cells=f"{max_cells:,}",
        )
