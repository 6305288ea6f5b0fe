"""A text file as UTF-8 bytes, block by block, cut into chunks at record boundaries.

Nothing here holds a whole file: `scan` reads it once in blocks (SHA-256, whether it has line
feeds, UTF-8 validity and the first broken line), `detect_encoding` decides the encoding from
that scan (reading a broken file once more to tell a damaged UTF-8 file from CP932),
`utf8_blocks` decodes it again in blocks (CP932 with an incremental decoder; UTF-16 files, which
are rare and small, whole), and `record_chunks` cuts the decoded stream into chunks of about
`chunk_bytes` at a line end outside quotes (an even number of `"` before it), so a quoted value
holding a line break is never split. The same checks and rejections as reading the file whole;
a CP932 byte sequence that does not decode is found while reading, inside the file's
transaction, which is then rolled back.
"""

from __future__ import annotations

import codecs
import hashlib
import itertools
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO

from pipelines.ingest.headers import FileRejected

BLOCK = 8 << 20  # bytes read at a time
HEAD = 65536  # where the header, the separator and a NUL byte are looked for

Opener = Callable[[], BinaryIO]

# Bytes CP932 decodes without error but that are no characters in it (Python maps 0x80, 0xA0
# and 0xFD-0xFF to U+0080 and private-use code points): a file with them is not CP932. Each is
# looked for with `in`, a fast scan; str.translate went through the text one character at a
# time and took longer than the decoding itself (4.7 s of a 22.6 s CP932 batch).
_NOT_CP932 = ("\x80", "\uf8f0", "\uf8f1", "\uf8f2", "\uf8f3")


def blocks(open_file: Opener, size: int = BLOCK, skip: int = 0) -> Iterator[bytes]:
    with open_file() as fh:
        if skip:
            fh.seek(skip)
        while block := fh.read(size):
            yield block


@dataclass(frozen=True)
class Scan:
    """What one pass over a file's bytes tells: its hash, its start, and for text files whether
    it is valid UTF-8 (after a BOM), the line of the first broken byte, and its line ends."""

    sha256: str
    head: bytes
    anything: bool  # anything but whitespace
    bad_line: int  # line of the first byte that is not UTF-8 (after a BOM); 0 when none
    has_lf: bool
    size: int


def scan(open_file: Opener, block_size: int = BLOCK) -> Scan:
    """One pass: the SHA-256 is computed in a thread (hashlib lets go of the GIL) while this one
    checks the same block; the line of a broken byte is counted only once one is found."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    head = b""
    bad_at, anything, has_lf, first, size = -1, False, False, True, 0
    hasher: ThreadPoolExecutor | None = None
    hashing: Future | None = None
    try:
        for block in blocks(open_file, block_size):
            if hashing is not None:
                hashing.result()  # one block hashed at a time: two blocks in memory at most
            if hasher is None and len(block) == block_size:  # more than one block: a thread
                hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-sha256")
            if hasher is not None:
                hashing = hasher.submit(digest.update, block)
            else:
                digest.update(block)
            start = size
            size += len(block)
            if not anything:
                anything = bool(block.strip())
            if first:
                head, first = block[:HEAD], False
                if block.startswith(b"\xef\xbb\xbf"):
                    block, start = block[3:], 3
            has_lf = has_lf or b"\n" in block
            if bad_at < 0:
                pending = len(decoder.getstate()[0])
                # An ASCII block after a whole character is valid UTF-8 as it stands: only
                # other blocks are decoded (isascii is one quick pass; decoding builds text).
                if pending or not block.isascii():
                    try:
                        decoder.decode(block)
                    except UnicodeDecodeError as exc:
                        bad_at = start + max(exc.start - pending, 0)
        if hashing is not None:
            hashing.result()
    finally:
        if hasher is not None:
            hasher.shutdown(wait=True)
    if bad_at < 0:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            bad_at = size
    bad_line = _line_at(open_file, bad_at, block_size) if bad_at >= 0 else 0
    return Scan(digest.hexdigest(), head, anything, bad_line, has_lf, size)


def _line_at(open_file: Opener, offset: int, block_size: int) -> int:
    """The line (from 1) of the byte at `offset`: the file's line feeds before it, plus one.
    Counted only for a file with a broken byte, so a valid file's pass does not count lines."""
    lines, seen = 0, 0
    for block in blocks(open_file, block_size):
        lines += block.count(b"\n", 0, max(offset - seen, 0))
        seen += len(block)
        if seen >= offset:
            break
    return lines + 1


def _meant_as_utf8(open_file: Opener) -> bool:
    """Mostly valid UTF-8 with a few broken bytes: a damaged UTF-8 file, not CP932. Decoding
    it as CP932 would load every name as mojibake, so it is refused instead. CP932 text forms
    some valid UTF-8 sequences by chance, so only a clear majority counts."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    broken = valid_non_ascii = 0
    for block in itertools.chain(blocks(open_file), [b""]):
        text = decoder.decode(block, final=not block)
        bad = text.count("\ufffd")
        broken += bad
        valid_non_ascii += len(text) - len(text.encode("ascii", "ignore")) - bad
    return valid_non_ascii >= 10 * max(broken, 1)


def detect_encoding(open_file: Opener, facts: Scan) -> str:
    """utf-8, utf-8-sig, utf-16 or cp932; FileRejected for a binary or broken file."""
    head = facts.head
    if head.startswith(b"\xef\xbb\xbf"):
        if facts.bad_line:
            raise FileRejected("broken_utf8", line=facts.bad_line)
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in head:
        raise FileRejected("not_text")
    if not facts.bad_line:
        return "utf-8"
    if _meant_as_utf8(open_file):
        raise FileRejected("broken_utf8", line=facts.bad_line)
    return "cp932"


def utf8_blocks(open_file: Opener, encoding: str, size: int = BLOCK) -> Iterator[bytes]:
    """The file's text as UTF-8 bytes, block by block (`size` bytes of the file each)."""
    if encoding == "utf-16":
        with open_file() as fh:
            data = fh.read()
        try:
            text = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileRejected("unreadable_encoding") from exc
        # Old Mac line endings (CR only), as for the other encodings (see reading).
        yield text.replace(b"\r", b"\n") if b"\n" not in text else text
        return
    if encoding != "cp932":
        yield from blocks(open_file, size, skip=3 if encoding == "utf-8-sig" else 0)
        return
    decoder = codecs.getincrementaldecoder("cp932")("strict")
    for block in itertools.chain(blocks(open_file, size), [b""]):
        try:
            text = decoder.decode(block, final=not block)
        except UnicodeDecodeError as exc:
            raise FileRejected("unreadable_encoding") from exc
        if any(char in text for char in _NOT_CP932):
            raise FileRejected("unreadable_encoding")
        if text:
            yield text.encode("utf-8")


def record_end(data: bytes, target: int, *, back_steps: int = 10_000) -> int | None:
    """Offset just after a line end outside quotes, near `target`: the last one at or before it,
    else the first one after it; None when `data` has none (wait for more)."""
    if b'"' not in data:  # no quoted value: every line end ends a record (a quick search)
        nl = data.rfind(b"\n", 0, target) if back_steps else -1
        if nl < 0:
            nl = data.find(b"\n", target)
        return nl + 1 if nl >= 0 else None
    quotes_before = data.count(b'"', 0, target)
    pos, quotes = target, quotes_before
    for _ in range(back_steps):
        nl = data.rfind(b"\n", 0, pos)
        if nl < 0:
            break
        quotes -= data.count(b'"', nl, pos)
        if quotes % 2 == 0:
            return nl + 1
        pos = nl
    pos, quotes = target, quotes_before
    while True:
        nl = data.find(b"\n", pos)
        if nl < 0:
            return None
        quotes += data.count(b'"', pos, nl)
        if quotes % 2 == 0:
            return nl + 1
        pos = nl + 1


def record_chunks(stream: Iterator[bytes], chunk_bytes: int, first_at_least: int = 0):
    """Whole records, about `chunk_bytes` at a time (under twice that, unless one record is
    longer: it stays whole); the first chunk is at least `first_at_least` bytes (it holds the
    header)."""
    buffer = b""
    least = first_at_least
    for block in stream:
        buffer = buffer + block if buffer else block
        while len(buffer) > (target := max(chunk_bytes, least)):
            # Under twice the target, the cut is at the buffer's last record end: what is
            # left over is less than a record, not a chunk to copy again.
            cut = record_end(buffer, len(buffer) if len(buffer) < 2 * target else target)
            if cut is None or cut >= len(buffer):
                break
            yield buffer[:cut]
            buffer, least = buffer[cut:], 0
    if buffer:
        yield buffer


def skip_records(data: bytes, count: int) -> int:
    """Offset after the first `count` records of `data` (line ends outside quotes)."""
    offset = 0
    for _ in range(count):
        cut = record_end(data, offset, back_steps=0)
        if cut is None:
            return len(data)
        offset = cut
    return offset
