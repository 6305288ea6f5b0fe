"""The first pass over a file's bytes (textstream.scan) read in small blocks: a character cut
between two blocks is still whole, an ASCII block is not decoded but a cut character before it
is still checked, and a broken byte is found on its own line wherever the blocks fall."""

from __future__ import annotations

import hashlib
import io

import pytest

from pipelines.ingest.textstream import scan

HEADER = "school_code,student_ref,grade\n"
ASCII_ROW = "D113210000014,S0001,2\n"


def _scan(data: bytes, block_size: int):
    return scan(lambda: io.BytesIO(data), block_size)


@pytest.mark.parametrize("block_size", [4, 7, 16, 64, 4096])
def test_a_valid_file_with_japanese_between_ascii_rows_is_utf8_whatever_the_blocks(block_size):
    data = (HEADER + ASCII_ROW * 5 + "D113210000014,生徒一,2\n" + ASCII_ROW * 5).encode()
    found = _scan(data, block_size)
    assert found.bad_line == 0
    assert found.sha256 == hashlib.sha256(data).hexdigest() and found.size == len(data)


@pytest.mark.parametrize("block_size", [4, 7, 16, 64, 4096])
def test_a_character_cut_short_before_ascii_rows_is_found_on_its_line(block_size):
    # Line 4 holds the first two bytes of 生 (e7 94 9f) and then a comma: not UTF-8.
    broken = HEADER.encode() + ASCII_ROW.encode() * 2 + b"D1,\xe7\x94,2\n"
    data = broken + ASCII_ROW.encode() * 10
    assert _scan(data, block_size).bad_line == 4


def test_the_cut_falls_exactly_at_a_block_end_before_an_ascii_block():
    head = (HEADER + ASCII_ROW).encode() + b"D1,"
    block_size = len(head) + 1  # the first block ends after the lead byte e7 of a character
    valid = head + "生".encode() + b",2\n" + ASCII_ROW.encode() * 3
    broken = head + b"\xe7" + ASCII_ROW.encode() * 3  # the next block is ASCII: still checked
    assert _scan(valid, block_size).bad_line == 0
    assert _scan(broken, block_size).bad_line == 3
