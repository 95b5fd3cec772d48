"""The first sheet of an XLSX file, streamed row by row with every cell cut to a cap.

openpyxl loads a workbook's shared strings whole, so a 100 KB file whose one cell expands
to 100 million characters costs gigabytes before the first row is read. Here expat reads
each XML part in chunks and keeps at most `cell_chars` characters of any cell: memory stays
bounded whatever the file claims to hold.

Every part is bounded too: its uncompressed bytes (MAX_SMALL_PART_BYTES for the workbook,
its relationships and styles; MAX_PART_BYTES for the strings and the sheet), the elements
kept from it (MAX_KEPT_ELEMENTS, MAX_SHARED_STRINGS), and the bytes expat may buffer for one
tag (MAX_TAG_BYTES: a start tag, attributes and all, is handed over only when complete). A
226 KB workbook.xml of tiny elements took 3.4 GB when every element was kept.
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils import column_index_from_string
from openpyxl.utils.datetime import from_excel

CHUNK_BYTES = 64 * 1024
MAX_SHARED_CHARS = 50_000_000  # all shared strings together, after the per-cell cap
MAX_SHARED_STRINGS = 1_000_000  # a 100,000-row export with 6 text columns: at most 600,000
MAX_COLUMNS = 1_000
MAX_SMALL_PART_BYTES = 16 * 2**20  # workbook, rels, styles: a few KB, Excel's worst ~5 MB
MAX_PART_BYTES = 2**30  # the sheet and the shared strings, uncompressed
MAX_KEPT_ELEMENTS = 100_000  # sheets, relationships, number formats, cell formats (64,000 max)
MAX_TAG_BYTES = 4 * 2**20  # bytes fed to expat with no element or text handed over
MAX_DIRECTORY_BYTES = 2**20  # the zip's central directory: a workbook has a dozen entries


class XlsxProblem(ValueError):
    """A file that is not a readable XLSX workbook."""


class _Text:
    """Character data gathered up to a cap; the rest is counted and dropped."""

    def __init__(self, cap: int):
        self.cap = cap
        self.parts: list[str] = []
        self.size = 0

    def add(self, data: str) -> None:
        room = self.cap - self.size
        if room > 0:
            self.parts.append(data[:room])
        self.size += len(data)

    def value(self) -> str:
        return "".join(self.parts)


def _fed(book: zipfile.ZipFile, name: str, start, end, text, max_bytes: int) -> Iterator[None]:
    """Feed one part of the workbook through expat in chunks (namespaces stripped), pausing
    after each chunk: at most `max_bytes` of it, and at most MAX_TAG_BYTES in a row without
    an element or text coming out (expat holds a start tag whole until it ends)."""
    events = [0]

    def counted(handler):
        def call(*args):
            events[0] += 1
            handler(*args)

        return call

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = counted(lambda tag, attrs: start(tag.rpartition("}")[2], attrs))
    parser.EndElementHandler = counted(lambda tag: end(tag.rpartition("}")[2]))
    parser.CharacterDataHandler = counted(text or (lambda data: None))
    parser.StartDoctypeDeclHandler = _no_doctype
    try:
        with book.open(name) as stream:
            fed = quiet = 0
            while chunk := stream.read(CHUNK_BYTES):
                before = events[0]
                parser.Parse(chunk, False)
                fed += len(chunk)
                quiet = quiet + len(chunk) if events[0] == before else 0
                if fed > max_bytes:
                    raise XlsxProblem(f"{name} is too large (over {max_bytes // 2**20} MB)")
                if quiet > MAX_TAG_BYTES:
                    raise XlsxProblem(f"{name} has a tag too large (over {MAX_TAG_BYTES} bytes)")
                yield
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise XlsxProblem(f"{name} is not well-formed XML ({error})") from None


def _parse(book: zipfile.ZipFile, name: str, start, end, text, max_bytes=MAX_PART_BYTES) -> None:
    """Feed a whole part through expat (see :func:`_fed` for its bounds)."""
    for _ in _fed(book, name, start, end, text, max_bytes):
        pass


def _no_doctype(*args) -> None:
    """A workbook part has no DTD; one could only declare entities to expand."""
    raise XlsxProblem("a workbook part declares a DTD")


def _small_xml(book: zipfile.ZipFile, name: str, wanted: set[str]) -> list[tuple[str, dict]]:
    """(tag, attributes) of the `wanted` elements of a small part (workbook, rels, styles),
    in order; XlsxProblem past MAX_SMALL_PART_BYTES or MAX_KEPT_ELEMENTS."""
    elements: list[tuple[str, dict]] = []

    def start(tag, attrs):
        if tag in wanted:
            if len(elements) >= MAX_KEPT_ELEMENTS:
                raise XlsxProblem(f"{name} has too many elements (over {MAX_KEPT_ELEMENTS})")
            elements.append((tag, attrs))

    _parse(book, name, start, lambda tag: None, None, MAX_SMALL_PART_BYTES)
    return elements


def first_sheet(book: zipfile.ZipFile) -> str:
    """The path of the workbook's first worksheet inside the zip."""
    sheets = [attrs for _, attrs in _small_xml(book, "xl/workbook.xml", {"sheet"})]
    if not sheets:
        raise XlsxProblem("the workbook has no sheet")
    rel_id = next((v for k, v in sheets[0].items() if k.endswith("}id")), None)
    rels = _small_xml(book, "xl/_rels/workbook.xml.rels", {"Relationship"})
    target = next((a["Target"] for tag, a in rels if a.get("Id") == rel_id), None)
    if target is None:
        raise XlsxProblem("the first sheet has no part")
    return target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)


def date_styles(book: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell formats that show a number as a date or time."""
    if "xl/styles.xml" not in book.namelist():
        return set()
    elements = _small_xml(book, "xl/styles.xml", {"numFmt", "cellXfs", "cellStyles", "dxfs", "xf"})
    custom = {
        _number(a.get("numFmtId"), "numFmtId"): a.get("formatCode", "")
        for tag, a in elements
        if tag == "numFmt"
    }
    formats = {**BUILTIN_FORMATS, **custom}
    dates, in_cell_xfs, index = set(), False, 0
    for tag, attrs in elements:
        if tag == "cellXfs":
            in_cell_xfs = True
        elif tag in ("cellStyles", "dxfs") and in_cell_xfs:
            break
        elif tag == "xf" and in_cell_xfs:
            code = formats.get(_number(attrs.get("numFmtId", 0), "numFmtId"), "")
            if code and is_date_format(code):
                dates.add(index)
            index += 1
    return dates


def shared_strings(book: zipfile.ZipFile, cell_chars: int) -> list[str]:
    """The shared string table, each string cut to `cell_chars` (phonetic runs left out)."""
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    strings: list[str] = []
    state: dict[str, Any] = {"text": None, "phonetic": 0, "total": 0}

    def start(tag, attrs):
        if tag == "si":
            state["text"] = _Text(cell_chars)
        elif tag == "rPh":
            state["phonetic"] += 1

    def end(tag):
        if tag == "si":
            value = state["text"].value()
            state["total"] += len(value)
            if state["total"] > MAX_SHARED_CHARS:
                raise XlsxProblem("the shared strings are too large for a comment export")
            if len(strings) >= MAX_SHARED_STRINGS:
                raise XlsxProblem(f"too many shared strings (over {MAX_SHARED_STRINGS})")
            strings.append(value)
            state["text"] = None
        elif tag == "rPh":
            state["phonetic"] -= 1

    def text(data):
        if state["text"] is not None and not state["phonetic"]:
            state["text"].add(data)

    _parse(book, "xl/sharedStrings.xml", start, end, text)
    return strings


class _SheetReader:
    """Turns the sheet's expat events into (row number, cells) pairs."""

    def __init__(self, strings: list[str], dates: set[int], cell_chars: int):
        self.strings, self.dates, self.cell_chars = strings, dates, cell_chars
        self.rows: list[tuple[int, list]] = []
        self.row_number = 0
        self.cells: dict[int, Any] = {}
        self.cell: dict | None = None
        self.text: _Text | None = None
        self.in_value = False  # inside <v> or <t>: a formula's <f> or a phonetic run is not
        self.phonetic = 0

    def start(self, tag: str, attrs: dict) -> None:
        if tag == "row":
            self.row_number = _number(attrs.get("r") or self.row_number + 1, "row number")
            self.cells = {}
        elif tag == "c":
            self.cell = {"ref": attrs.get("r"), "type": attrs.get("t", "n")}
            self.cell["style"] = _number(attrs.get("s", 0), "style")
            self.text = _Text(self.cell_chars)
        elif tag in ("v", "t"):
            self.in_value = True
        elif tag == "rPh":
            self.phonetic += 1

    def end(self, tag: str) -> None:
        if tag in ("v", "t"):
            self.in_value = False
        elif tag == "rPh":
            self.phonetic -= 1
        elif tag == "c" and self.cell is not None:
            column = self._column(self.cell["ref"])
            if column < MAX_COLUMNS:
                self.cells[column] = self._value(self.cell, self.text.value())
            self.cell, self.text = None, None
        elif tag == "row":
            width = max(self.cells, default=-1) + 1
            self.rows.append((self.row_number, [self.cells.get(i) for i in range(width)]))

    def characters(self, data: str) -> None:
        if self.text is not None and self.in_value and not self.phonetic:
            self.text.add(data)

    def _column(self, ref: str | None) -> int:
        if not ref:
            return max(self.cells, default=-1) + 1
        letters = ref.rstrip("0123456789")
        try:
            return column_index_from_string(letters) - 1
        except ValueError:
            raise XlsxProblem(f"bad cell reference {ref[:20]!r}") from None

    def _value(self, cell: dict, raw: str) -> Any:
        kind = cell["type"]
        if kind == "s":
            try:
                return self.strings[int(raw)]
            except (ValueError, IndexError):
                raise XlsxProblem(f"cell {cell['ref']} names no shared string") from None
        if kind in ("inlineStr", "str", "e", "d"):
            return raw
        if kind == "b":
            return raw == "1"
        if raw == "":
            return None
        try:
            number = float(raw)
        except ValueError:
            return raw
        if cell["style"] in self.dates:
            try:
                return from_excel(number)
            except (ValueError, OverflowError):
                return raw
        return int(number) if number.is_integer() and "." not in raw and "E" not in raw else number


def _number(value, what: str) -> int:
    """An integer attribute of the workbook; XlsxProblem if it is not one."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise XlsxProblem(f"bad {what} {str(value)[:20]!r}") from None


def _directory_size(stream) -> tuple[int, int]:
    """(entries, bytes) of a zip's central directory, from its end record (zipfile reads the
    whole directory into memory on opening); (0, 0) when there is no end record."""
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(max(0, size - 22 - 65_535))
    tail = stream.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return 0, 0
    entries, directory = struct.unpack("<HI", tail[at + 10 : at + 16])
    return entries, directory


def _check_directory(path_or_file) -> None:
    """Refuse a zip whose directory is too large for a workbook, before zipfile reads it."""
    if hasattr(path_or_file, "read"):
        position = path_or_file.tell()
        entries, directory = _directory_size(path_or_file)
        path_or_file.seek(position)
    else:
        with open(path_or_file, "rb") as stream:
            entries, directory = _directory_size(stream)
    if entries == 0xFFFF or directory == 0xFFFFFFFF or directory > MAX_DIRECTORY_BYTES:
        raise XlsxProblem("not a workbook: its zip directory has too many entries")


def sheet_rows(path_or_file, cell_chars: int) -> Iterator[tuple[int, list]]:
    """(row number, cell values) of the first sheet, every text cell cut to `cell_chars`."""
    try:
        _check_directory(path_or_file)
        book = zipfile.ZipFile(path_or_file)
    except (zipfile.BadZipFile, OSError) as error:
        raise XlsxProblem(f"not a readable XLSX file ({type(error).__name__})") from None
    with book:
        try:
            sheet = first_sheet(book)
            reader = _SheetReader(shared_strings(book, cell_chars), date_styles(book), cell_chars)
            yield from _stream(book, sheet, reader)
        except (KeyError, zipfile.BadZipFile, EOFError) as error:
            raise XlsxProblem(f"not a readable XLSX file ({type(error).__name__})") from None


def _stream(book: zipfile.ZipFile, sheet: str, reader: _SheetReader) -> Iterator[tuple[int, list]]:
    for _ in _fed(book, sheet, reader.start, reader.end, reader.characters, MAX_PART_BYTES):
        yield from reader.rows
        reader.rows.clear()
    yield from reader.rows
