"""File import (`type = "file"`): CSV, JSONL and XLSX exports dropped in a folder or given
to `moderation import FILE --channel NAME`.

One row is one comment. Columns (header names are case-insensitive; the Chinese names of
common exports are accepted too, see ALIASES):

    story_id (required), content (required), created (required), id, story_title,
    story_url, story_published, author, author_id, likes, reply_to

A bad row is skipped and reported as ``file:line: reason``; good rows are kept. A row
without `id` gets a stable id hashed from story, author, time and text, so re-importing an
overlapping export stores nothing twice.

Cursor::

    {"files": {"<sha256 of the file>": {"name": "x.csv", "rows": N, "done": bool}}}

`rows` counts the data rows already stored, so a killed import resumes after them; a file
whose hash is done is never read again, whatever its name.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from moderation.collectors.base import CollectedComment, CollectedStory, Page
from moderation.collectors.common import BEIJING, parse_time, story_time, utc_iso
from moderation.collectors.xlsx_stream import XlsxProblem, sheet_rows
from moderation.declare import setting
from moderation.digits import whole_number

SUFFIXES = (".csv", ".jsonl", ".xlsx")
REQUIRED = ("story_id", "content", "created")
COLUMNS = (
    *REQUIRED,
    "id",
    "story_title",
    "story_url",
    "story_published",
    "author",
    "author_id",
    "likes",
    "reply_to",
)
ALIASES = {
    "评论id": "id",
    "稿件id": "story_id",
    "文章id": "story_id",
    "稿件标题": "story_title",
    "文章标题": "story_title",
    "稿件链接": "story_url",
    "发布日期": "story_published",
    "发布时间": "story_published",
    "评论内容": "content",
    "内容": "content",
    "评论时间": "created",
    "时间": "created",
    "昵称": "author",
    "作者": "author",
    "用户id": "author_id",
    "点赞数": "likes",
    "回复id": "reply_to",
}


MAX_LINE_CHARS = 500_000  # a longer physical line is a bad row, read past in bounded pieces
DEFAULT_CELL_CHARS = 100_000  # an XLSX cell's cap without settings (else raw_payload_chars)
SNIFF_BYTES = 4096


class FileProblem(ValueError):
    """A file that cannot be read at all (its rows are not looked at)."""


@dataclass(frozen=True)
class Options:
    """`type = "file"` keys."""

    folder: str = setting(
        "", "Drop folder read on each run; relative paths resolve against the config file."
    )
    paths: list[str] = setting([], "Explicit files (set by `moderation import`).")
    batch_rows: int = setting(500, "Rows stored per transaction.", min=1, max=100000)


class Collector:
    """Imports each new file (by content hash) in batches of rows."""

    def __init__(self, channel, options: Options, settings=None):
        self.channel = channel
        self.options = options
        self.resolve = settings.resolve if settings is not None else Path
        self.origin = channel.label or channel.name
        limits = getattr(settings, "limits", None)
        self.cell_chars = limits.raw_payload_chars if limits else DEFAULT_CELL_CHARS

    def files(self) -> list[Path]:
        """The explicit paths, then the folder's exports in name order."""
        found = [self.resolve(path) for path in self.options.paths]
        if self.options.folder:
            folder = self.resolve(self.options.folder)
            found += sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES)
        return found

    def pages(self, cursor: dict | None) -> Iterator[Page]:
        """Pages of `batch_rows` rows per file not imported yet."""
        state = {key: dict(entry) for key, entry in ((cursor or {}).get("files") or {}).items()}
        for path in self.files():
            yield from self.file_pages(path, state)

    def file_pages(self, path: Path, state: dict[str, dict]) -> Iterator[Page]:
        """One file's rows from where an earlier import stopped."""
        try:
            with path.open("rb") as stream:
                digest = hashlib.file_digest(stream, "sha256").hexdigest()
        except OSError as error:
            yield Page(unreadable=[f"{path.name}: cannot read: {error.strerror or error}"])
            return
        entry = state.setdefault(digest, {"name": path.name, "rows": 0, "done": False})
        if entry["done"]:
            if self.options.paths:  # said only when asked for this file explicitly
                yield Page(
                    skipped=[f"{path.name}: already imported (same content as {entry['name']})"]
                )
            return
        try:
            rows = read_rows(path, self.cell_chars)
            page = Page()
            for number, (line, row) in enumerate(rows):
                if number < entry["rows"]:
                    continue
                self.add_row(page, path.name, line, row)
                entry["rows"] = number + 1
                if len(page.comments) + len(page.skipped) >= self.options.batch_rows:
                    page.cursor = {"files": state}
                    yield page
                    page = Page()
        except FileProblem as error:
            page = Page(unreadable=[f"{path.name}: {error}"])
        entry["done"] = True
        page.cursor = {"files": state}
        yield page

    def add_row(self, page: Page, name: str, line: int, row: Any) -> None:
        """Validate one row into the page, or report it as `name:line: reason`."""
        if isinstance(row, str):  # the reader already found this row unusable
            page.skipped.append(f"{name}:{line}: {row}")
            return
        try:
            comment, story = self.comment(row)
        except (ValueError, TypeError) as error:
            page.skipped.append(f"{name}:{line}: {error}")
            return
        page.comments.append(comment)
        if story and story.native_id not in {s.native_id for s in page.stories}:
            page.stories.append(story)

    def comment(self, row: Any) -> tuple[CollectedComment, CollectedStory | None]:
        """One row -> a comment (and its story, when the row names it)."""
        if not isinstance(row, dict):
            raise ValueError(f"expected an object, got {type(row).__name__}")
        values = {key: text(value) for key, value in row.items()}
        missing = [key for key in REQUIRED if not values.get(key)]
        if missing:
            raise ValueError(f"missing {', '.join(missing)}")
        created = utc_iso(to_time(row["created"], "created"))
        likes = whole_number(values.get("likes") or "0")
        if likes is None:
            raise ValueError(f"likes: {values['likes']!r} is not a whole number")
        author = values.get("author") or None
        native_id = (
            values.get("id")
            or "h:"
            + hashlib.sha256(
                "|".join([values["story_id"], author or "", created, values["content"]]).encode()
            ).hexdigest()[:16]
        )
        comment = CollectedComment(
            native_id=native_id,
            story_native_id=values["story_id"],
            text=values["content"],
            created_at=created,
            author_key=f"{self.channel.name}:{values.get('author_id') or author or '匿名'}",
            author_name=author,
            likes=likes,
            reply_to=values.get("reply_to") or None,
            origin=self.origin,
            raw={key: values[key] for key in values if key in COLUMNS},
        )
        return comment, self.story(row, values)

    def story(self, row: dict, values: dict) -> CollectedStory | None:
        """The row's story, if the row gives its title."""
        if not values.get("story_title"):
            return None
        published = row.get("story_published")
        return CollectedStory(
            native_id=values["story_id"],
            title=values["story_title"],
            url=values.get("story_url") or None,
            published_at=story_time(to_time(published, "story_published")) if published else None,
            origin=self.origin,
        )


def text(value: Any) -> str:
    """A cell as trimmed text; whole floats (Excel ids) without `.0`."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def to_time(value: Any, column: str) -> datetime:
    """A cell as an aware datetime (ISO-8601, `YYYY/MM/DD HH:MM`, Excel dates); naive = Beijing."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=BEIJING)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=BEIJING)
    try:
        return parse_time(str(value).replace("/", "-"))
    except ValueError:
        raise ValueError(f"{column}: {str(value)[:40]!r} is not a date and time") from None


def read_rows(path: Path, cell_chars: int = DEFAULT_CELL_CHARS) -> Iterator[tuple[int, Any]]:
    """(line number, row dict) for each data row; FileProblem if the file is unreadable.

    The file is streamed: memory stays bounded whatever its size or its longest line.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return csv_rows(path)
    if suffix == ".jsonl":
        return jsonl_rows(path)
    if suffix == ".xlsx":
        return xlsx_rows(path, cell_chars)
    raise FileProblem(f"unknown file type {suffix!r} (expected {', '.join(SUFFIXES)})")


def header(names: list[Any]) -> list[str]:
    """Column names normalised (case, spaces, Chinese aliases); FileProblem if one is missing."""
    columns = [text(name).lower().replace(" ", "_") for name in names]
    columns = [ALIASES.get(name, name) for name in columns]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise FileProblem(f"no column {', '.join(missing)} in the header")
    return columns


def text_encoding(path: Path, fallback: str | None) -> str:
    """The encoding of a text export: UTF-8 (BOM or not), UTF-16 (BOM or NUL pattern), or
    `fallback` when the bytes are not UTF-8; FileProblem for a binary file (or no fallback)."""
    with path.open("rb") as stream:
        head = stream.read(SNIFF_BYTES)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        if b"\x00" in head:
            return _utf16_without_bom(head)
        stream.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        valid = True
        while chunk := stream.read(1 << 20):
            if b"\x00" in chunk:
                raise FileProblem("a binary file, not a text export: save it as CSV (UTF-8)")
            if valid:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    valid = False
        if valid:
            try:
                decoder.decode(b"", final=True)
                return "utf-8-sig"
            except UnicodeDecodeError:
                pass
    if fallback is None:
        raise FileProblem("not UTF-8 text")
    return fallback


def _utf16_without_bom(head: bytes) -> str:
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    if odd > len(head) // 4 and even == 0:
        return "utf-16-le"
    if even > len(head) // 4 and odd == 0:
        return "utf-16-be"
    raise FileProblem("a binary file, not a text export: save it as CSV (UTF-8)")


def bounded_lines(stream, too_long: list[int]) -> Iterator[str]:
    """The stream's lines; a line over MAX_LINE_CHARS is read past in bounded pieces and
    given as an empty line (its number added to `too_long`), so numbering stays right."""
    number = 0
    while line := stream.readline(MAX_LINE_CHARS + 1):
        number += 1
        if len(line) > MAX_LINE_CHARS:
            while line and not line.endswith(("\n", "\r")):
                line = stream.readline(MAX_LINE_CHARS)
            too_long.append(number)
            yield "\n"
        else:
            yield line


TOO_LONG = f"line longer than {MAX_LINE_CHARS} characters"
NEVER_CLOSED = "a quote opened in this row is never closed"
# Where a CSV reader is within a record: the csv module's own states for the excel dialects.
START, FIELD, QUOTED, QUOTE_IN_QUOTED = range(4)
_AFTER_QUOTE = {START: QUOTED, FIELD: FIELD, QUOTED: QUOTE_IN_QUOTED, QUOTE_IN_QUOTED: QUOTED}


class RecordScanner:
    """Follows a CSV text as the csv module reads it (excel dialects: quotes doubled inside
    a quoted field, a quote inside an unquoted field kept as it is), to tell where a record
    ends: a line break outside a quoted field. Only quotes and delimiters are looked at."""

    def __init__(self, delimiter: str):
        self.special = re.compile(f'["{re.escape(delimiter)}]')
        self.state = START

    def feed(self, content: str) -> None:
        """Advance over text that holds no line break."""
        state, position = self.state, 0
        for match in self.special.finditer(content):
            if match.start() > position and state in (START, QUOTE_IN_QUOTED):
                state = FIELD  # ordinary characters: the field has begun, or the quote ended
            if match.group() == '"':
                state = _AFTER_QUOTE[state]
            elif state != QUOTED:
                state = START  # a delimiter
            position = match.end()
        if position < len(content) and state in (START, QUOTE_IN_QUOTED):
            state = FIELD
        self.state = state

    def line_end(self) -> bool:
        """A line break: tell whether it ends the record (it is text inside a quoted field)."""
        if self.state == QUOTED:
            return False
        self.state = START
        return True


def csv_records(pieces: Iterator[str], delimiter: str) -> Iterator[tuple[int, list[str] | str]]:
    """(first line number, [the record's text]) for each CSV record (what csv.reader reads as
    one row); for a record longer than MAX_LINE_CHARS, or one whose quote never closes, the
    reason it is bad.

    A record over the cap is read past to its own end, however many lines its quoted field
    spans: resynchronising at the next line instead would read the rest of the field as
    rows (a crafted field could replace a stored comment's text or invent comments).
    `pieces` are lines read in bounded pieces (a piece without a line break continues).
    """
    scanner = RecordScanner(delimiter)
    number, start, lines, size = 0, 1, [], 0
    after_cr = False
    for piece in pieces:
        if after_cr and piece == "\n":  # the "\r\n" of the last line, cut by the piece size
            after_cr = False
            if lines:
                lines.append(piece)
                size += 1
            continue
        after_cr = piece.endswith("\r")
        content = piece.rstrip("\r\n")
        scanner.feed(content)
        size += len(piece)
        if size <= MAX_LINE_CHARS:
            lines.append(piece)
        if len(content) == len(piece):
            continue  # the line goes on in the next piece
        number += 1
        if scanner.line_end():
            yield (
                start,
                ["".join(lines)] if size <= MAX_LINE_CHARS else _too_long(number - start + 1),
            )
            start, lines, size = number + 1, [], 0
    if size:
        ended = scanner.state != QUOTED
        record = ["".join(lines)] if size <= MAX_LINE_CHARS else _too_long(0)
        yield start, record if ended else NEVER_CLOSED


def _too_long(lines: int) -> str:
    if lines <= 1:
        return TOO_LONG
    return f"row of {lines} lines longer than {MAX_LINE_CHARS} characters"


def csv_rows(path: Path) -> Iterator[tuple[int, Any]]:
    """CSV rows, UTF-8 (with or without BOM), UTF-16, or GB18030 as Excel saves it in China."""
    encoding = text_encoding(path, fallback="gb18030")
    csv.field_size_limit(max(csv.field_size_limit(), MAX_LINE_CHARS))
    with path.open(encoding=encoding, errors="replace", newline="") as stream:
        first = stream.readline(MAX_LINE_CHARS + 1)
        if not first or len(first) > MAX_LINE_CHARS:
            raise FileProblem("empty file" if not first else f"header {TOO_LONG}")
        dialect = "excel-tab" if "\t" in first and "," not in first else "excel"
        pieces = itertools.chain([first], iter(lambda: stream.readline(MAX_LINE_CHARS + 1), ""))
        records = csv_records(pieces, "\t" if dialect == "excel-tab" else ",")
        _, lines = next(records)
        if isinstance(lines, str):
            raise FileProblem(f"header: {lines}")
        columns = header(next(csv.reader(lines, dialect), []))
        for line, record in records:
            row = record if isinstance(record, str) else _row(record, dialect, columns)
            if row is not None:  # a blank line
                yield line, row


def _row(lines: list[str], dialect: str, columns: list[str]) -> dict | str | None:
    """One record's cells by column, or why it is a bad row."""
    try:
        rows = list(csv.reader(lines, dialect))
    except csv.Error as error:
        return f"not valid CSV ({error})"
    cells = [cell for row in rows for cell in row]
    if len(cells) > len(columns):
        return f"{len(cells)} cells for {len(columns)} columns"
    return dict(zip(columns, cells, strict=False)) if any(c.strip() for c in cells) else None


def jsonl_rows(path: Path) -> Iterator[tuple[int, Any]]:
    """One JSON object per line; a line that is not one is a bad row."""
    encoding = text_encoding(path, fallback=None)
    too_long: list[int] = []
    with path.open(encoding=encoding, errors="replace", newline="") as stream:
        for line, source in enumerate(bounded_lines(stream, too_long), start=1):
            if too_long:
                yield line, TOO_LONG
                too_long.clear()
                continue
            if not source.strip():
                continue
            try:
                row = json.loads(source)
            except ValueError as error:
                yield line, f"invalid JSON ({str(error).split(':')[0]})"
                continue
            if isinstance(row, dict):
                row = {ALIASES.get(str(k).lower(), str(k).lower()): v for k, v in row.items()}
            yield line, row


def xlsx_rows(path: Path, cell_chars: int = DEFAULT_CELL_CHARS) -> Iterator[tuple[int, dict]]:
    """The first sheet's rows, streamed, each cell cut to `cell_chars`; line numbers are the
    sheet's row numbers."""
    try:
        rows = sheet_rows(path, cell_chars)
        try:
            _, names = next(rows)
        except StopIteration:
            raise FileProblem("empty sheet") from None
        columns = header(names)
        for line, cells in rows:
            if any(cell not in (None, "") for cell in cells):
                yield line, dict(zip(columns, cells, strict=False))
    except XlsxProblem as error:
        raise FileProblem(str(error)) from None
