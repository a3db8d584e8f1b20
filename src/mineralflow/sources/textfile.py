"""Opening an official statistics file before DuckDB reads it: encoding, delimiter, header.

DuckDB's CSV reader (1.5) reads UTF-8, UTF-16 and Latin-1 only, and its Latin-1 decoder
refuses some bytes. So anything that is not UTF-8 (China customs exports in GBK/GB18030,
ISO-8859-1 Comtrade files) is transcoded to a temporary UTF-8 copy in one streaming pass
(1 MiB at a time, never a line at a time) that also hashes the original bytes and counts its
lines. UTF-8 files are read in place; their hash is computed by :func:`hash_file`, which the
ingest runs in a thread beside DuckDB.

Only the first 64 KiB are looked at to choose the encoding and read the header; an invalid
byte further on is reported by DuckDB with its line (or by the transcoder, which knows it).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

__all__ = ["TextFile", "hash_file", "open_text"]

SAMPLE = 64 * 1024
CHUNK = 1 << 20
UTF8_BOM = b"\xef\xbb\xbf"

_ENCODING_NAMES = {"gb18030": "GB18030/GBK", "latin-1": "ISO-8859-1"}
SAVE_AS_UTF8 = "save it as UTF-8 CSV (in Excel: 'CSV UTF-8'), or export it again"


@dataclass
class TextFile:
    """A file ready for DuckDB: what to read, how it is encoded, its header."""

    path: Path  # as the user named it; every error names this path
    read_path: Path  # what DuckDB reads: the file itself, or a UTF-8 copy
    encoding: str  # as found: utf-8, utf-8-sig, latin-1, gb18030
    duckdb_encoding: str  # what DuckDB reads: always utf-8 (others are transcoded)
    delimiter: str
    header: list[str]
    header_text: str
    size: int
    content_hash: str | None = None  # hash_file() of the original, when already known

    @property
    def name(self) -> str:
        return self.path.name

    def check_header(
        self, header: Sequence[str], *, delimiters: str, fix: str, first_column: str
    ) -> None:
        """Raise the header faults every reader shares: a header that is one column because
        the file is separated by ';' or '|', and a column named twice (empty names are left
        to the reader).

        ``delimiters`` says what the format uses ("UN Comtrade files are comma- or
        tab-separated"), ``fix`` how to save the file instead, and ``first_column`` is the
        column the one-column error names.
        """
        if len(header) == 1 and any(d in self.header_text for d in ";|"):
            sep = ";" if ";" in self.header_text else "|"
            raise InputError(
                f"the header is one column separated by {sep!r}; {delimiters}",
                column=first_column,
                fix=fix,
                path=self.path,
                row=1,
            )
        seen: set[str] = set()
        for name in header:
            if name and name in seen:
                raise InputError(
                    f"the header names column {name!r} twice",
                    column=name,
                    fix="remove the duplicated column, or export the file again",
                    path=self.path,
                    row=1,
                )
            seen.add(name)


FULL_HASH_LIMIT = 64 << 20


def hash_file(path: Path) -> str:
    """The file's content hash: ``sha256:<hex>`` of every byte for files up to 64 MiB; above,
    a fingerprint ``crc32:<size>:<crc32 of every byte>:<sha256 of the first and last MiB>``.

    Hashing costs CPU beside DuckDB's parse (sha256 reads 1.8 GB/s here, CRC-32 6 GB/s).
    Two different files of one size share a fingerprint only if their first and last MiB are
    equal and their CRC-32 collides (about 1 in 4 billion). Both read in 4 MiB chunks and
    release the GIL, so this runs in a thread beside DuckDB.
    """
    size = path.stat().st_size
    buffer = bytearray(4 * CHUNK)
    view = memoryview(buffer)
    if size <= FULL_HASH_LIMIT:
        digest = hashlib.sha256()
        with path.open("rb", buffering=0) as f:
            while n := f.readinto(buffer):
                digest.update(view[:n])
        return f"sha256:{digest.hexdigest()}"
    crc = 0
    with path.open("rb", buffering=0) as f:
        head = f.read(CHUNK)
        crc = zlib.crc32(head, crc)
        while n := f.readinto(buffer):
            crc = zlib.crc32(view[:n], crc)
        f.seek(max(size - CHUNK, 0))
        tail = f.read(CHUNK)
    ends = hashlib.sha256(head + tail).hexdigest()
    return f"crc32:{size}:{crc:08x}:{ends}"


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decodes(sample: bytes, encoding: str) -> int | None:
    """None when ``sample`` decodes (a character cut at the end is fine), else the offset of
    the first bad byte."""
    try:
        codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
    except UnicodeDecodeError as e:
        return e.start
    return None


def open_text(
    path: Path,
    *,
    encodings: Sequence[str],
    workdir: Path,
    first_column: str | None = None,
) -> TextFile:
    """Look at ``path``: pick the first of ``encodings`` its start decodes in (UTF-8 first),
    transcode GB18030 to UTF-8 under ``workdir``, and read the header line.

    Raises :class:`InputError` (row 1) for an empty file, UTF-16 or binary content, a UTF-8
    byte-order mark on a file that is not UTF-8, or a header no encoding can read.
    ``first_column`` names the column errors on the header point at.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            sample = f.read(SAMPLE)
    except OSError as e:
        raise InputError(
            f"cannot read the file ({e.strerror})", path=path, fix="check the path and permissions"
        ) from None
    if size == 0:
        raise InputError(
            "the file is empty (0 bytes)",
            fix="download or export the file again",
            path=path,
            row=1,
            column=first_column,
        )
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            "the file is UTF-16 text (it starts with a UTF-16 byte-order mark)",
            fix=SAVE_AS_UTF8,
            path=path,
            row=1,
            column=first_column,
        )
    if b"\x00" in sample:
        at = sample.index(b"\x00")
        raise InputError(
            "the file holds NUL bytes: it is binary (a spreadsheet?) or UTF-16 text",
            fix="export it as CSV, " + SAVE_AS_UTF8,
            path=path,
            row=_line_of(sample, at),
            column=first_column,
        )
    bom = sample.startswith(UTF8_BOM)
    bad_utf8 = _decodes(sample, "utf-8")
    if bad_utf8 is None:
        encoding = "utf-8-sig" if bom else "utf-8"
    elif bom:
        raise InputError(
            "the file starts with a UTF-8 byte-order mark but is not UTF-8 "
            f"(byte 0x{sample[bad_utf8]:02x} at offset {bad_utf8}): two encodings are mixed",
            fix=SAVE_AS_UTF8,
            path=path,
            row=_line_of(sample, bad_utf8),
            column=first_column,
        )
    else:
        fallbacks = [e for e in encodings if e not in ("utf-8", "utf-8-sig")]
        if not fallbacks:
            raise InputError(
                f"the file is not UTF-8 (byte 0x{sample[bad_utf8]:02x} at offset {bad_utf8})",
                fix=SAVE_AS_UTF8,
                path=path,
                row=_line_of(sample, bad_utf8),
                column=first_column,
            )
        encoding = fallbacks[0]
        bad = _decodes(sample, encoding)
        if bad is not None:
            raise InputError(
                f"the file is neither UTF-8 nor {encoding.upper()} "
                f"(byte 0x{sample[bad]:02x} at offset {bad})",
                fix=SAVE_AS_UTF8,
                path=path,
                row=_line_of(sample, bad),
                column=first_column,
            )
    text = sample.decode("utf-8" if encoding.startswith("utf-8") else encoding, errors="replace")
    text = text.removeprefix("\ufeff")
    header_text, newline, _ = text.partition("\n")
    if not newline and size > SAMPLE:
        raise InputError(
            f"no line break in the first {SAMPLE // 1024} KiB: this is not a CSV file",
            fix="export the data as CSV",
            path=path,
            row=1,
            column=first_column,
        )
    header_text = header_text.rstrip("\r")
    if "\r" in header_text:
        # Line breaks that are a lone carriage return (old Mac files) or a stray one.
        raise InputError(
            "the header line holds a carriage return (\\r) that does not end it: the file's "
            "line breaks are old Mac-style or damaged",
            fix="save the file again with Unix (LF) or Windows (CRLF) line breaks",
            path=path,
            row=1,
            column=first_column,
        )
    delimiter = "\t" if "\t" in header_text else ","
    try:
        header = next(csv.reader([header_text], delimiter=delimiter), [])
    except csv.Error as e:
        raise InputError(
            f"the header line cannot be read as CSV ({e})",
            fix="export the data as CSV again",
            path=path,
            row=1,
            column=first_column,
        ) from None
    header = [h.strip() for h in header]
    tf = TextFile(
        path=path,
        read_path=path,
        encoding=encoding,
        duckdb_encoding="utf-8",
        delimiter=delimiter,
        header=header,
        header_text=header_text,
        size=size,
    )
    if not encoding.startswith("utf-8"):
        _transcode(tf, workdir, first_column)
    return tf


def _transcode(tf: TextFile, workdir: Path, first_column: str | None) -> None:
    """Write a UTF-8 copy of a GB18030 or Latin-1 file, hashing the original as it goes."""
    out_path = workdir / (re.sub(r"[^\w.-]", "_", tf.path.stem)[:40] + ".utf8.csv")
    decoder = codecs.getincrementaldecoder(tf.encoding)()
    digest = hashlib.sha256()
    lines = 0
    tail = ""  # the decoded text after the last line break so far
    with tf.path.open("rb") as src, out_path.open("w", encoding="utf-8", newline="") as dst:
        while True:
            chunk = src.read(CHUNK)
            digest.update(chunk)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as e:
                done = e.object[: e.start]
                line_text = done.rsplit(b"\n", 1)[-1].decode("gb18030", errors="replace")
                if b"\n" not in done:
                    line_text = tail + line_text
                column = _column_at(tf, line_text) or first_column
                raise InputError(
                    f"byte 0x{e.object[e.start]:02x} is not {_ENCODING_NAMES[tf.encoding]} text "
                    "(the file mixes encodings or is damaged)",
                    path=tf.path,
                    row=lines + done.count(b"\n") + 1,
                    column=column,
                    fix=SAVE_AS_UTF8 + ", or re-export it from the customs site",
                ) from None
            lines += chunk.count(b"\n")
            dst.write(text)
            tail = text.rsplit("\n", 1)[-1] if "\n" in text else tail + text
            if not chunk:
                break
    tf.read_path = out_path
    tf.content_hash = f"sha256:{digest.hexdigest()}" if tf.size <= FULL_HASH_LIMIT else None


def _column_at(tf: TextFile, partial_line: str) -> str | None:
    """The header name of the field a partial line has reached (quotes respected)."""
    index, inside = 0, False
    for ch in partial_line:
        if ch == '"':
            inside = not inside
        elif ch == tf.delimiter and not inside:
            index += 1
    header = [h or "(the trailing empty column)" for h in tf.header]
    return header[index] if index < len(header) else None
