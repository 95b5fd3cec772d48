"""SVG charts: plain data in, escaped SVG out."""

import pytest

from moderation.web import charts


@pytest.mark.parametrize("value, expected", [(0, 1), (7, 10), (12, 20), (23, 25), (0.42, 0.5)])
def test_nice_max(value, expected):
    assert charts.nice_max(value) == pytest.approx(expected)


@pytest.mark.parametrize("top", [1, 2, 3, 7, 12, 23, 25, 180])
def test_count_axis_ticks_are_whole_numbers(top):
    chart = charts.bar_chart([f"d{i}" for i in range(3)], [top, 1, 0], "每日评论数", "次")
    ticks = [s["text"] for s in chart["shapes"] if s.get("cls") == "tick-y"]
    assert len(ticks) >= 2 and all(tick.isdigit() for tick in ticks), ticks
    assert int(ticks[-1]) >= top


def test_stacked_bars_stack_per_label():
    chart = charts.stacked_bars(["01-20", "01-21"], {"微信": [3, 0], "网站": [1, 2]}, "每日评论数")
    bars = [s for s in chart["shapes"] if s["kind"] == "rect"]
    assert len(bars) == 3  # zero values draw nothing
    first_day = sorted((b for b in bars if b["tip"].startswith("01-20")), key=lambda b: b["y"])
    assert first_day[0]["y"] + first_day[0]["height"] == pytest.approx(first_day[1]["y"], abs=0.2)
    assert [item["name"] for item in chart["legend"]] == ["微信", "网站"]


def test_line_chart_skips_gaps():
    chart = charts.line_chart(["a", "b", "c"], {"情感": [0.2, None, 0.8]}, "情感趋势", y_max=1)
    (line,) = [s for s in chart["shapes"] if s["kind"] == "polyline"]
    assert len(line["points"].split()) == 2


def test_chart_labels_are_escaped_in_the_page(client, collected, login):
    collected.execute("UPDATE comments SET channel = '<b>渠道</b>' WHERE id = 1")
    login()
    html = client.get("/overview").get_data(as_text=True)
    # comments: drawn; no decisions or corrections yet: said in words
    assert html.count("<svg") == 3 and html.count("暂无数据") == 2
    assert "&lt;b&gt;渠道&lt;/b&gt;" in html and "<b>渠道</b>" not in html
    titles = ("每日评论数（按渠道）", "情感趋势", "待审队列规模", "每日审核量（按审核员）")
    for title in (*titles, "每周人工纠正（情感 / 冒犯）"):
        assert title in html


def test_pivot_fills_missing_cells():
    rows = [{"day": "d1", "who": "a", "n": 2}, {"day": "d2", "who": "b", "n": 5}]
    assert charts.pivot(rows, "day", "who", "n") == (["d1", "d2"], {"a": [2, 0], "b": [0, 5]})


def test_day_labels_carry_the_year_only_when_the_days_span_two():
    assert charts.day_labels(["2026-12-06", "2026-12-07"]) == ["12-06", "12-07"]
    assert charts.day_labels(["2026-12-31", "2027-01-01"], "起") == ["2026-12-31起", "2027-01-01起"]


def test_a_chart_with_nothing_to_plot_says_so_instead_of_drawing_empty_axes(client, db, login):
    login()
    html = client.get("/overview").get_data(as_text=True)
    assert html.count("暂无数据：这段时间还没有记录。") == 5 and "<svg" not in html
    assert charts.stacked_bars([], {}, "每日审核量")["empty"]
    assert not charts.stacked_bars(["12-07"], {"王编辑": [0]}, "每日审核量")["empty"]
