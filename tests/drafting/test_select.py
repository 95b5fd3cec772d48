"""Greedy diverse selection of one story's quotes, and the [draft] weights it uses."""

import pytest

from moderation.drafting import select
from moderation.drafting.weights import NAMES, as_toml, default_weights, weights_from
from moderation.settings import DraftSettings, SettingsError, settings_from_mapping

TEXT = "河西这边雪下得好大，早上起来车顶上一层白，崽崽高兴得鞋子都冒穿好就冲下楼了"


def comment(comment_id, **fields):
    """An approved, clean, printable candidate."""
    return {
        "id": comment_id,
        "text": fields.pop("text", f"{TEXT}{comment_id}"),
        "author_key": fields.pop("author", f"author-{comment_id}"),
        "channel": "demo",
        "origin": fields.pop("origin", "掌上株洲"),
        "likes": fields.pop("likes", 0),
        "label": fields.pop("label", "positive"),
        "flag_codes": fields.pop("flags", ""),
        "dup_group": fields.pop("group", comment_id),
        "printed_in": fields.pop("printed", []),
    }


def test_prepare_gates_flagged_printed_replies_and_unprintable():
    comments = [
        comment(1),
        comment(2, flags="suspect"),
        comment(3, printed=["2024-01-12"]),
        comment(4, text="@郭英 " + TEXT),
        comment(5, text="赞"),
        comment(6, flags="negative"),
    ]
    assert [c["id"] for c in select.prepare(comments, {})] == [1, 6]


def test_select_never_proposes_same_author_or_duplicate_group():
    comments = [
        comment(1, likes=100, author="a"),
        comment(2, likes=90, author="a"),
        comment(3, likes=80, group=1),
        comment(4, likes=10),
        comment(5, likes=5),
    ]
    picks, alternates = select.select(
        select.prepare(comments, {}), default_weights(), select.Counts(2, 6, 2)
    )
    chosen = picks + alternates
    assert [c["id"] for c in chosen] == [1, 4, 5]
    assert all(c["reason"].startswith("点赞 ") for c in chosen)


def test_select_spreads_over_channels_topics_and_sentiment():
    comments = [comment(i, likes=100 - i, origin="株洲新闻网") for i in range(1, 6)]
    comments.append(comment(9, likes=1, origin="掌上株洲", label="negative"))
    topics = {i: ("雪景", "雪景") for i in range(1, 6)} | {9: ("结冰", "结冰")}
    picks, _ = select.select(
        select.prepare(comments, topics), default_weights(), select.Counts(2, 2, 0)
    )
    assert [c["id"] for c in picks] == [1, 9]  # the lone other channel/topic/viewpoint
    no_spread = default_weights(channel=0, topic=0, sentiment=0)
    picks, _ = select.select(select.prepare(comments, topics), no_spread, select.Counts(2, 2, 0))
    assert [c["id"] for c in picks] == [1, 2]


def test_select_stops_between_min_and_max_when_quality_drops():
    comments = [comment(1, likes=1000), comment(2, likes=900)]
    comments += [
        comment(i, text="这个新闻我看了，觉得说得很有道理，值得好好想一想。" + str(i))
        for i in range(3, 9)
    ]
    picks, alternates = select.select(
        select.prepare(comments, {}),
        default_weights(channel=0, topic=0, sentiment=0),
        select.Counts(2, 6, 3),
    )
    assert [c["id"] for c in picks] == [1, 2]
    assert len(alternates) == 3 and not {c["id"] for c in alternates} & {1, 2}


def test_weights_come_from_draft_settings_and_print_as_toml():
    weights = weights_from(DraftSettings(likes=0.5, topic=2))
    assert (weights.likes, weights.topic) == (0.5, 2)
    assert as_toml(weights).splitlines()[0] == "likes = 0.5"
    assert [line.split(" = ")[0] for line in as_toml(weights).splitlines()] == list(NAMES)
    assert weights.scaled("likes", 100).likes == 10  # bounded as in [draft]


@pytest.mark.parametrize(
    "section, message",
    [
        ({"likes": -1}, "draft.likes: must be 0 to 10"),
        ({"min_quotes": 7}, "min_quotes <= max_quotes"),
        ({"colour": 1}, "draft.colour: unknown key"),
    ],
)
def test_bad_draft_settings_name_the_key(tmp_path, section, message):
    with pytest.raises(SettingsError, match=message):
        settings_from_mapping({"draft": section}, tmp_path)
