"""The hostile-input corpus of issue 13: real files, made here, as an attacker or a careless
sender would send them. Each entry says what ingest must do with it: reject it whole (with
fragments of the reason in Japanese and English) or load it, with the rows loaded and
quarantined and the rule that quarantined them."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import xlsxwriter
import xlwt

SCHOOLS_HEADER = ["学校コード", "学校名", "市区町村コード"]


@dataclass(frozen=True)
class Hostile:
    name: str
    data: bytes
    status: str  # rejected | loaded
    ja: str = ""  # fragment of the file's reason (rejected) or of a row's reason (loaded)
    en: str = ""
    rows: tuple[int, int, int] = (0, 0, 0)  # read, loaded, quarantined
    rule: str | None = None  # the quarantine rule of the bad rows


def xlsx_bytes(rows: list[list[object]], far_cell: bool = False) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("データ")
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    if far_cell:
        sheet.write(1048575, 16383, "x")  # XFD1048576: the last cell Excel has
    book.close()
    return buffer.getvalue()


def _patched(data: bytes, part: str, change) -> bytes:
    """The workbook with one XML part rewritten (as a hand-made or tampered file would be)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info.filename, change(content) if info.filename == part else content)
    return out.getvalue()


def _forged_reference(xml: bytes) -> bytes:
    """A sheet that claims A1:C2 but hides a cell at XFD1048576 inside row 2."""
    xml = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:C2"/>', xml)
    return xml.replace(b"</row></sheetData>", b'<c r="XFD1048576"><v>1</v></c></row></sheetData>')


def legacy_xls(code: str) -> bytes:
    """A real BIFF8 .xls whose B1 cell holds 0.85 formatted as a percentage (shows 85%)."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("returns")
    for c, text in enumerate(["学校コード", "年度", "学期", "提出日", "B1"]):
        sheet.write(0, c, text)
    for c, value in enumerate([code, "2025", "1", "2025-07-15"]):
        sheet.write(1, c, value)
    sheet.write(1, 4, 0.85, xlwt.easyxf(num_format_str="0%"))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv(lines: list[str], encoding: str = "utf-8", end: str = "\r\n") -> bytes:
    return (end.join(lines) + end).encode(encoding)


def corpus(code: str, other: str, town: str) -> list[Hostile]:
    """Hostile files for a warehouse that knows schools `code` and `other` (in `town`)."""
    header = ",".join(SCHOOLS_HEADER)
    many = [f"{code},学校{i},{town}" for i in range(3000)]  # past the first 64 KB
    return [
        Hostile(
            "bomb.xlsx",
            xlsx_bytes([SCHOOLS_HEADER, [code, "中学校", town]], far_cell=True),
            "rejected",
            "使用範囲が大きすぎます",
            "used range is too large",
        ),
        Hostile(
            "forged_reference.xlsx",
            _patched(
                xlsx_bytes([SCHOOLS_HEADER, [code, "中学校", town]]),
                "xl/worksheets/sheet1.xml",
                _forged_reference,
            ),
            "rejected",
            "使用範囲が大きすぎます",
            "used range is too large",
        ),
        Hostile(
            "long_cell.xlsx",  # Excel and xlsxwriter stop at 32,767: a hand-made file does not
            _patched(
                xlsx_bytes([SCHOOLS_HEADER, [code, "long-name-here", town]]),
                "xl/sharedStrings.xml",
                lambda xml: xml.replace(b"long-name-here", ("長" * 40_000).encode()),
            ),
            "rejected",
            "32,767文字を超えるセル",
            "more than 32,767 characters",
        ),
        Hostile(
            "lone_surrogate.xlsx",
            _patched(
                xlsx_bytes([SCHOOLS_HEADER, [code, "surrogate-here", town]]),
                "xl/sharedStrings.xml",
                lambda xml: xml.replace(b"surrogate-here", b"a&#xD800;b"),
            ),
            "rejected",
            "XML で使えない文字",
            "character XML does not allow",
        ),
        Hostile("percent.xls", legacy_xls(code), "rejected", "古い形式", "Legacy Excel"),
        Hostile(
            "duplicate_name.csv",
            _csv([header + ",学校名", f"{code},A中学校,{town},B中学校"]),
            "rejected",
            "学校名/学校名 (B, D)",
            "names the same column more than once: 学校名/学校名 (B, D)",
        ),
        Hostile(
            "duplicate_code.csv",
            _csv([header + ",school_code", f"{code},A中学校,{town},{other}"], "cp932"),
            "rejected",
            "学校コード/school_code (A, D)",
            "学校コード/school_code (A, D)",
        ),
        Hostile(
            "duplicate_b1.csv",
            _csv(["学校コード,年度,学期,提出日,B1,B1", f"{code},2025,1,2025-07-15,80,20"]),
            "rejected",
            "B1/B1 (E, F)",
            "B1/B1 (E, F)",
        ),
        Hostile(
            "broken_utf8.csv",
            _csv([header, f"{code},千代田中学校,{town}"]) + f"{other},".encode() + b"B\xff,13\r\n",
            "rejected",
            "3行目に UTF-8 として壊れた文字",
            "not valid UTF-8 on line 3",
        ),
        # Bytes CP932 decodes without error but that are no characters in it (0x80, 0xFD),
        # in the last row of a CP932 file past its first 64 KB: the whole file is refused.
        *(
            Hostile(
                f"not_cp932_{byte.hex()}.csv",
                _csv([header, *many], "cp932") + f"{other},高".encode("cp932") + byte + b",13\r\n",
                "rejected",
                "文字コードを判別できません",
                "text encoding is not UTF-8",
            )
            for byte in (b"\x80", b"\xfd")
        ),
        Hostile(
            "short_rows.csv",
            _csv(
                [header + ",ハブコード,ハブ名", f"{code},中学校,{town}", f"{other},高校"], "cp932"
            ),
            "loaded",
            "必須の「市区町村コード」が空です",
            "required column '市区町村コード' is empty",
            (2, 1, 1),
            "required_missing",
        ),
        Hostile(
            "cr_only.csv",
            _csv([header, f"{code},中学校,{town}"], end="\r"),
            "loaded",
            rows=(1, 1, 0),
        ),
        Hostile(
            "late_nul.csv",
            _csv([header, *many, f"{other},ヌル\x00学校,{town}"]),
            "loaded",
            "制御文字(U+0000)",
            "control character (U+0000)",
            (3001, 3000, 1),
            "control_character",
        ),
        Hostile(
            "escape_codes.csv",
            _csv([header, f"{code},\x1b[31m赤い\x07中学校,{town}", f"{other},普通の高校,{town}"]),
            "loaded",
            "制御文字(U+001B)",
            "control character (U+001B)",
            (2, 1, 1),
            "control_character",
        ),
        Hostile(
            "long_values.csv",
            _csv([header, f"{code},{'名' * 300},{town}", f"{'9' * 10_000_000},中学校,{town}"]),
            "loaded",
            "の値が長すぎます",
            "is too long",
            (2, 0, 2),
            "text_too_long",
        ),
    ]
