"""The report's 走势图: comments per day, stacked by channel, as SVG (HTML) and PNG (DOCX).

Both are drawn from the same geometry, so the two files show the same picture. The PNG is
written by hand (zlib and the PNG chunk format), with a 3×5 pixel font for the numbers and
dates on it: no imaging library, no font file, the same bytes for the same data. Channel
names are not drawn in the PNG; the legend under it in the DOCX names them in colour.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

PALETTE = ("#b5121b", "#1f5f99", "#d98e04", "#3a7d44", "#6b4c9a", "#7a7a7a")
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 24, 30


@dataclass(frozen=True)
class Bar:
    """One channel's part of one day's bar, in pixels from the top left."""

    x: int
    y: int
    width: int
    height: int
    color: str
    channel: str
    day: str
    count: int


@dataclass(frozen=True)
class Chart:
    """A stacked bar chart: the bars, each day's total and label, the axis' top value."""

    bars: tuple[Bar, ...]
    totals: tuple[tuple[int, int, str, int], ...]  # (x centre, y top, day label, total)
    top: int
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def baseline(self) -> int:
        """The y of the x axis."""
        return self.height - BOTTOM


def layout(days: list[str], series: list[tuple[str, list[int]]]) -> Chart:
    """Bars for `days` (labels such as 01-25) stacked from `series` [(channel, counts)]."""
    totals = [sum(counts[i] for _, counts in series) for i in range(len(days))]
    top = _nice(max(totals, default=0))
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    bar_width = max(4, int(slot * 0.6))
    bars, heads = [], []
    for index, day in enumerate(days):
        x = int(LEFT + slot * index + (slot - bar_width) / 2)
        y = HEIGHT - BOTTOM
        for number, (channel, counts) in enumerate(series):
            height = round(counts[index] / top * plot_height) if top else 0
            if counts[index] and height:
                y -= height
                color = PALETTE[number % len(PALETTE)]
                bars.append(Bar(x, y, bar_width, height, color, channel, day, counts[index]))
        heads.append((x + bar_width // 2, y, day, totals[index]))
    return Chart(tuple(bars), tuple(heads), top)


def _nice(value: int) -> int:
    """A round axis top at or above `value` (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def colors(series_names: list[str]) -> dict[str, str]:
    """Each channel's colour, as the chart draws it."""
    return {name: PALETTE[n % len(PALETTE)] for n, name in enumerate(series_names)}


# 3×5 glyphs for what the PNG writes: digits and the dash of 01-25
_GLYPHS = {
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111",
    "3": "111001111001111", "4": "101101111001001", "5": "111100111001111",
    "6": "111100111101111", "7": "111001001001001", "8": "111101111101111",
    "9": "111101111001111", "-": "000000111000000",
}  # fmt: skip
_SCALE = 2


def _rgb(color: str) -> tuple[int, int, int]:
    return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))


class _Canvas:
    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.pixels = bytearray(b"\xff" * (width * height * 3))

    def fill(self, x: int, y: int, width: int, height: int, color: str) -> None:
        red, green, blue = _rgb(color)
        row = bytes((red, green, blue)) * max(0, min(width, self.width - x))
        for line in range(max(0, y), min(self.height, y + height)):
            start = (line * self.width + max(0, x)) * 3
            self.pixels[start : start + len(row)] = row

    def text(self, x_centre: int, y_bottom: int, text: str, color: str = "#333333") -> None:
        width = len(text) * 4 * _SCALE - _SCALE
        x = x_centre - width // 2
        y = y_bottom - 5 * _SCALE
        for char in text:
            glyph = _GLYPHS.get(char)
            if glyph:
                for index, bit in enumerate(glyph):
                    if bit == "1":
                        column, line = index % 3, index // 3
                        self.fill(x + column * _SCALE, y + line * _SCALE, _SCALE, _SCALE, color)
            x += 4 * _SCALE

    def png(self) -> bytes:
        raw = b"".join(
            b"\x00" + bytes(self.pixels[line * self.width * 3 : (line + 1) * self.width * 3])
            for line in range(self.height)
        )
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", header)
            + _chunk(b"pHYs", struct.pack(">IIB", 5669, 5669, 1))  # 144 dpi
            + _chunk(b"IDAT", zlib.compress(raw, 9))
            + _chunk(b"IEND", b"")
        )


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png(chart: Chart) -> bytes:
    """The chart as a PNG: bars, the axis, each day's total above its bar and date below."""
    canvas = _Canvas(chart.width, chart.height)
    for fraction in (0.25, 0.5, 0.75, 1.0):  # light grid lines
        y = chart.baseline - round((chart.baseline - TOP) * fraction)
        canvas.fill(LEFT, y, chart.width - LEFT - RIGHT, 1, "#e4e4e4")
    canvas.text(LEFT // 2, TOP + 5, str(chart.top), "#777777")
    canvas.fill(LEFT, chart.baseline, chart.width - LEFT - RIGHT, 2, "#555555")
    for bar in chart.bars:
        canvas.fill(bar.x, bar.y, bar.width, bar.height, bar.color)
    for x, y, day, total in chart.totals:
        canvas.text(x, y - 4, str(total))
        canvas.text(x, chart.height - 6, day)
    return canvas.png()
