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

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from moderation.collectors.base import CollectedComment, CollectedStory, Page
from moderation.collectors.common import BEIJING, parse_time, story_time, utc_iso
from moderation.declare import setting

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
            data = path.read_bytes()
        except OSError as error:
            yield Page(skipped=[f"{path.name}: cannot read: {error.strerror or error}"])
            return
        digest = hashlib.sha256(data).hexdigest()
        entry = state.setdefault(digest, {"name": path.name, "rows": 0, "done": False})
        if entry["done"]:
            if self.options.paths:  # said only when asked for this file explicitly
                yield Page(
                    skipped=[f"{path.name}: already imported (same content as {entry['name']})"]
                )
            return
        try:
            rows = read_rows(path, data)
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
            page = Page(skipped=[f"{path.name}: {error}"])
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
        likes = values.get("likes") or "0"
        if not likes.isdigit():
            raise ValueError(f"likes: {likes!r} is not a whole number")
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
            likes=int(likes),
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


def read_rows(path: Path, data: bytes) -> Iterator[tuple[int, Any]]:
    """(line number, row dict) for each data row; FileProblem if the file is unreadable."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return csv_rows(data)
    if suffix == ".jsonl":
        return jsonl_rows(data)
    if suffix == ".xlsx":
        return xlsx_rows(data)
    raise FileProblem(f"unknown file type {suffix!r} (expected {', '.join(SUFFIXES)})")


def header(names: list[Any]) -> list[str]:
    """Column names normalised (case, spaces, Chinese aliases); FileProblem if one is missing."""
    columns = [text(name).lower().replace(" ", "_") for name in names]
    columns = [ALIASES.get(name, name) for name in columns]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise FileProblem(f"no column {', '.join(missing)} in the header")
    return columns


def csv_rows(data: bytes) -> Iterator[tuple[int, dict]]:
    """CSV rows, UTF-8 (with or without BOM) or GB18030 as Excel saves it in China."""
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        content = data.decode("gb18030", "replace")
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        columns = header(next(reader))
    except StopIteration:
        raise FileProblem("empty file") from None
    line = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            if len(cells) > len(columns):
                yield line, f"{len(cells)} cells for {len(columns)} columns"
            else:
                yield line, dict(zip(columns, cells, strict=False))
        line = reader.line_num + 1


def jsonl_rows(data: bytes) -> Iterator[tuple[int, Any]]:
    """One JSON object per line; a line that is not one is a bad row."""
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem("not UTF-8 text") from None
    for line, source in enumerate(content.splitlines(), start=1):
        if not source.strip():
            continue
        try:
            row = json.loads(source)
        except ValueError as error:
            yield line, f"invalid JSON ({str(error).split(':')[0]})"
            continue
        if isinstance(row, dict):
            row = {ALIASES.get(k.lower(), k.lower()): v for k, v in row.items()}
        yield line, row


def xlsx_rows(data: bytes) -> Iterator[tuple[int, dict]]:
    """The first sheet's rows; line numbers are the sheet's row numbers."""
    from openpyxl import load_workbook  # only when an XLSX file is imported

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - zipfile/XML errors of a corrupt file
        raise FileProblem(f"not a readable XLSX file ({type(error).__name__})") from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        try:
            columns = header(list(next(rows)))
        except StopIteration:
            raise FileProblem("empty sheet") from None
        for line, cells in enumerate(rows, start=2):
            if any(cell not in (None, "") for cell in cells):
                yield line, dict(zip(columns, cells, strict=False))
    finally:
        book.close()
