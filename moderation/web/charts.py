"""Server-rendered SVG charts: bar, line and stacked bars, no JavaScript.

Each function returns a chart as plain data (size plus a list of shapes with coordinates);
`templates/charts/_svg.html` draws the shapes, so every label goes through autoescaping.
"""

from __future__ import annotations

import math

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 28, 52
SERIES_CLASSES = 8


def nice_max(value: float) -> float:
    """A round number at or above `value` for the top of the y axis."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def whole_intervals(y_max: float) -> int:
    """How many grid intervals split a count axis into whole numbers (25 -> 5 of 5, not 4
    of 6.25); counts are never drawn with fractional ticks."""
    for intervals in (4, 5, 3, 2):
        if y_max >= intervals and float(y_max / intervals).is_integer():
            return intervals
    return 1


def day_labels(days: list[str], suffix: str = "") -> list[str]:
    """Axis labels for ISO days: 12-07 while they share a year, 2026-12-28 once they span two
    (a chart over new year would otherwise put 01-02 right after 12-31 with no year)."""
    full = len({day[:4] for day in days}) > 1
    return [(day if full else day[5:]) + suffix for day in days]


def _frame(title: str, labels: list[str], y_max: float, y_label: str, percent=False) -> dict:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    shapes = [
        {"kind": "text", "x": LEFT, "y": 16, "text": title, "cls": "chart-title"},
        {"kind": "text", "x": 4, "y": TOP - 8, "text": y_label, "cls": "axis-label"},
        {"kind": "line", "x1": LEFT, "y1": TOP + plot_h, "x2": LEFT + plot_w, "y2": TOP + plot_h},
        {"kind": "line", "x1": LEFT, "y1": TOP, "x2": LEFT, "y2": TOP + plot_h},
    ]
    intervals = 4 if percent else whole_intervals(y_max)
    for step in range(intervals + 1):
        value = y_max * step / intervals
        y = TOP + plot_h - plot_h * step / intervals
        text = f"{value:.0%}" if percent else f"{value:g}"
        shapes.append({"kind": "text", "x": LEFT - 4, "y": y + 4, "text": text, "cls": "tick-y"})
        if step:
            shapes.append(
                {"kind": "line", "x1": LEFT, "y1": y, "x2": LEFT + plot_w, "y2": y, "cls": "grid"}
            )
    slot = plot_w / max(len(labels), 1)
    every = max(1, math.ceil(len(labels) / 10))  # at most ten x labels
    for index, label in enumerate(labels):
        if index % every == 0:
            x = LEFT + slot * (index + 0.5)
            shapes.append(
                {"kind": "text", "x": x, "y": TOP + plot_h + 16, "text": label, "cls": "tick-x"}
            )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "title": title,
        "shapes": shapes,
        "legend": [],
        "empty": not labels,  # nothing to plot: the page says so instead of empty axes
        "slot": slot,
        "plot_h": plot_h,
    }


def _scale(value: float, y_max: float, plot_h: float) -> float:
    return plot_h * (value / y_max) if y_max else 0


def bar_chart(labels: list[str], values: list[float], title: str, y_label: str = "") -> dict:
    """One bar per label."""
    y_max = math.ceil(nice_max(max(values, default=0)))
    chart = _frame(title, labels, y_max, y_label)
    slot, plot_h = chart["slot"], chart["plot_h"]
    for index, value in enumerate(values):
        height = _scale(value, y_max, plot_h)
        chart["shapes"].append(_bar(index, slot, TOP + plot_h - height, height, 0, labels, value))
    return chart


def _bar(index, slot, y, height, series, labels, value, name="") -> dict:
    return {
        "kind": "rect",
        "x": round(LEFT + slot * index + slot * 0.15, 1),
        "y": round(y, 1),
        "width": round(slot * 0.7, 1),
        "height": round(height, 1),
        "cls": f"series-{series % SERIES_CLASSES}",
        "tip": f"{labels[index]} {name} {value:g}".replace("  ", " "),
    }


def stacked_bars(labels: list[str], series: dict[str, list[float]], title: str, y_label="") -> dict:
    """Bars per label, stacked by series (e.g. comments per day, stacked by channel)."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    y_max = math.ceil(nice_max(max(totals, default=0)))
    chart = _frame(title, labels, y_max, y_label)
    slot, plot_h = chart["slot"], chart["plot_h"]
    base = [0.0] * len(labels)
    for number, (name, values) in enumerate(series.items()):
        for index, value in enumerate(values):
            if not value:
                continue
            height = _scale(value, y_max, plot_h)
            y = TOP + plot_h - _scale(base[index], y_max, plot_h) - height
            chart["shapes"].append(_bar(index, slot, y, height, number, labels, value, name))
            base[index] += value
        chart["legend"].append(_legend(number, name))
    return chart


def line_chart(
    labels: list[str],
    series: dict[str, list[float | None]],
    title: str,
    y_label: str = "",
    y_max: float | None = None,
    percent: bool = False,
) -> dict:
    """One line per series; None values leave a gap."""
    values = [v for line in series.values() for v in line if v is not None]
    y_max = y_max or nice_max(max(values, default=0))
    if not percent:
        y_max = math.ceil(y_max)
    chart = _frame(title, labels, y_max, y_label, percent)
    slot, plot_h = chart["slot"], chart["plot_h"]
    for number, (name, line) in enumerate(series.items()):
        points = []
        for index, value in enumerate(line):
            if value is None:
                continue
            x = LEFT + slot * (index + 0.5)
            y = TOP + plot_h - _scale(value, y_max, plot_h)
            points.append(f"{x:.1f},{y:.1f}")
            chart["shapes"].append(
                {
                    "kind": "circle",
                    "x": round(x, 1),
                    "y": round(y, 1),
                    "cls": f"series-{number % SERIES_CLASSES}",
                    "tip": f"{labels[index]} {name} {value:.2f}",
                }
            )
        chart["shapes"].append(
            {"kind": "polyline", "points": " ".join(points), "cls": f"line-{number % 8}"}
        )
        chart["legend"].append(_legend(number, name))
    return chart


def _legend(number: int, name: str) -> dict:
    return {"name": name, "cls": f"series-{number % SERIES_CLASSES}"}


def pivot(rows: list[dict], row_key: str, column_key: str, value_key: str):
    """[{day, channel, n}] -> (days, {channel: [n per day]}), missing cells as 0."""
    labels = sorted({row[row_key] for row in rows})
    names = sorted({row[column_key] for row in rows})
    position = {label: index for index, label in enumerate(labels)}
    series = {name: [0] * len(labels) for name in names}
    for row in rows:
        series[row[column_key]][position[row[row_key]]] = row[value_key]
    return labels, series
