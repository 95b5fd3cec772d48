"""Property-based tests: arbitrary Unicode and wrong types never crash a parser or storage.

Every collector's item parser either yields a normalised comment or records a skip reason;
whatever it yields is stored and read back unchanged (lone surrogates become U+FFFD).
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.collectors import make_collector
from moderation.collectors.base import CollectedStory, Page
from moderation.settings import channel_settings
from moderation.storage import comments as comment_store
from moderation.storage import stories
from moderation.storage.storable import clean_text

# Half again the profile's number of examples (tests/conftest.py): parsing is cheap.
PROFILE = settings(
    max_examples=settings.default.max_examples * 3 // 2,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# Text with what breaks naive code: surrogates, RTL marks, zero-width characters, NUL.
NASTY = st.lists(
    st.one_of(
        st.characters(),  # includes lone surrogates (category Cs)
        st.sampled_from(["\u202e", "\u200b", "\ufeff", "\x00", "\r", "龘", "𪚥", "👍🏻", "&amp;"]),
    ),
    max_size=40,
).map("".join)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), NASTY)
JSONISH = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(NASTY, children, max_size=3)
    ),
    max_leaves=8,
)


def item_strategy(keys: dict[str, st.SearchStrategy]):
    """Items shaped like the channel's documented item, each field possibly of a wrong type."""
    return st.one_of(
        JSONISH,
        st.fixed_dictionaries(keys),
        st.fixed_dictionaries({key: st.one_of(good, JSONISH) for key, good in keys.items()}),
    )


UNIX = st.one_of(st.integers(0, 2**33), st.integers(0, 2**31).map(str))
ITEMS = {
    "wechat": item_strategy(
        {
            "user_comment_id": st.integers(0, 10**9),
            "openid": NASTY,
            "create_time": UNIX,
            "content": NASTY,
            "comment_type": st.integers(0, 1),
        }
    ),
    "jsonfeed": item_strategy(
        {
            "id": NASTY,
            "author": NASTY,
            "content": NASTY,
            "created": st.just("2024-01-22T10:00:00+08:00") | NASTY,
            "likes": st.integers(-5, 10**6),
            "reply_to": NASTY,
        }
    ),
    "weibo": item_strategy(
        {
            "id": st.integers(0, 10**16),
            "text": NASTY,
            "created_at": st.just("Wed Jun 01 00:50:25 +0800 2011") | NASTY,
            "user": st.fixed_dictionaries({"id": st.integers(), "screen_name": NASTY}),
        }
    ),
    "file": item_strategy(
        {
            "id": NASTY,
            "story_id": st.just("s") | NASTY,
            "author": NASTY,
            "content": st.just("好") | NASTY,
            "likes": st.integers(0, 99),
            "created": st.just("2024-01-22 10:00") | NASTY,
        }
    ),
}
OPTIONS = {
    "wechat": {"appid": "wx1", "appsecret_env": "PROPERTY_SECRET"},
    "jsonfeed": {"feed_url": "http://127.0.0.1:9/feed", "comments_url": "http://127.0.0.1:9/c"},
    "weibo": {"statuses": [{"id": "1", "title": "t"}], "access_token_env": "PROPERTY_TOKEN"},
    "file": {"paths": []},
}


def parse(collector, channel_type: str, item) -> Page:
    """Feed one item through the collector's own per-item parser."""
    page = Page()
    if channel_type == "wechat":
        collector.add_comment(page, "100_1", item, set())
    elif channel_type == "jsonfeed":
        collector.add_comment(page, "story-1", item)
    elif channel_type == "weibo":
        collector.add_comment(page, "1", item)
    else:
        collector.add_row(page, "upload.csv", 2, item)
    return page


@pytest.fixture(scope="module", autouse=True)
def secrets_in_env():
    """The secrets the collectors read at construction."""
    keys = {"PROPERTY_SECRET": "s", "PROPERTY_TOKEN": "t", "MODERATION_PSEUDONYM_KEY": "k"}
    old = {key: os.environ.get(key) for key in keys}
    os.environ.update(keys)
    yield
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.mark.parametrize("channel_type", sorted(ITEMS))
def test_parser_never_crashes_and_storage_round_trips(channel_type, db):
    channel = channel_settings(
        {"name": f"p-{channel_type}", "type": channel_type, **OPTIONS[channel_type]}
    )
    collector = make_collector(channel)
    story_id = stories.upsert_story(db, channel.name, CollectedStory(native_id="s", title="t"))

    parsed = []

    @PROFILE
    @given(ITEMS[channel_type])
    def check(item):
        page = parse(collector, channel_type, item)
        parsed.extend(page.comments)
        assert len(page.comments) + len(page.skipped) == 1
        for reason in page.skipped:
            assert isinstance(reason, str) and reason
        for comment in page.comments:
            with db.atomic():
                comment_store.save_comments(
                    db, channel.name, [comment], {comment.story_native_id: story_id}
                )
            stored = db.execute(
                "SELECT text FROM comments WHERE channel = ? AND native_id = ?",
                [channel.name, clean_text(comment.native_id)],
            ).fetchone()
            assert stored is not None
            assert stored[0] == clean_text(comment.text)
            json.dumps(dict(comment.raw or {}), ensure_ascii=False, default=str)

    check()
    assert parsed, "no example produced a comment: the strategy misses the documented shape"


@PROFILE
@given(st.binary(max_size=400) | NASTY.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_file_reader_reports_never_raises(data):
    import tempfile
    from pathlib import Path

    from moderation.collectors.fileimport import FileProblem, read_rows

    with tempfile.TemporaryDirectory() as folder:
        for name in ("x.csv", "x.jsonl", "x.xlsx"):
            path = Path(folder) / name
            path.write_bytes(data)
            try:
                for line, row in read_rows(path):
                    assert isinstance(line, int)
                    assert isinstance(row, (dict, str, list, int, float, bool, type(None)))
            except FileProblem as problem:
                assert str(problem)  # a clear message, not a traceback


# --- the length caps (issue 20): lengths around each cap, huge XLSX cells ---------------

FEW = settings(
    max_examples=min(settings.default.max_examples, 30),  # the profile's, at most 30
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
TEXT_CAP, FIELD_CAP, RAW_CAP = 40, 12, 60


def around(cap: int):
    """Lengths at, just under and just over a cap, and anywhere up to three times it."""
    return st.one_of(st.integers(cap - 2, cap + 2), st.integers(0, 3 * cap))


@FEW
@given(
    text_length=around(TEXT_CAP),
    name_length=around(FIELD_CAP),
    char=st.sampled_from(["长", "a", "😀", "\ufeff"]),
)
def test_every_field_ends_within_its_cap(text_length, name_length, char):
    from moderation.collectors.base import CollectedComment
    from moderation.collectors.limits import ORIGINAL_TEXT_KEY, bound_comment
    from moderation.settings import LimitsSettings

    limits = LimitsSettings(text_chars=TEXT_CAP, field_chars=FIELD_CAP, raw_payload_chars=RAW_CAP)
    text = char * text_length
    comment = CollectedComment(
        native_id="1" * name_length,
        story_native_id="s",
        text=text,
        created_at="2024-01-22T00:00:00+00:00",
        author_key="k" * name_length,
        author_name=char * name_length,
        raw={"content": text, "x": 1},
    )
    bounded = bound_comment(comment, limits)
    assert bounded.text == text[:TEXT_CAP]
    assert bounded.truncated == (text_length > TEXT_CAP)
    for name in ("native_id", "author_key", "author_name"):
        assert getattr(bounded, name) == getattr(comment, name)[:FIELD_CAP]
    if bounded.truncated:
        assert bounded.raw[ORIGINAL_TEXT_KEY] == text[:RAW_CAP]
        assert "content" not in bounded.raw  # the original once, not twice
    else:
        assert bounded.raw == comment.raw


@FEW
@given(lengths=st.lists(around(TEXT_CAP) | st.integers(1000, 200_000), min_size=1, max_size=3))
def test_xlsx_cells_of_any_length_come_out_capped(lengths):
    import tempfile
    from pathlib import Path

    from moderation.collectors.fileimport import xlsx_rows
    from tests.collectors.test_fileimport import crafted_xlsx

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cells.xlsx"
        crafted_xlsx(path, [("s1", "长" * n, "2024-01-24 08:00") for n in lengths])
        rows = list(xlsx_rows(path, cell_chars=TEXT_CAP))
    assert [row["content"] for _, row in rows] == ["长" * min(n, TEXT_CAP) for n in lengths]


@FEW
@given(
    text=NASTY,
    spans=st.lists(st.tuples(st.integers(-5, 50), st.integers(-5, 50)), max_size=6),
)
def test_segments_cover_the_text_exactly_once(text, spans):
    from moderation.web.templating import segments

    flags = [
        {"code": f"c{i}", "reason": "r", "spans": [{"start": a, "end": b}]}
        for i, (a, b) in enumerate(spans)
    ]
    pieces = segments(text, flags)
    assert "".join(piece["text"] for piece in pieces) == text
    assert all(piece["text"] for piece in pieces)
    assert all(a["code"] != b["code"] for a, b in zip(pieces, pieces[1:], strict=False))
    # each character carries the first flag whose span covers it (the simple definition)
    first = [
        next((f["code"] for f, (a, b) in zip(flags, spans, strict=True) if a <= i < b), None)
        for i in range(len(text))
    ]
    assert [code for piece in pieces for code in [piece["code"]] * len(piece["text"])] == first
