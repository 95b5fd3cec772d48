"""The records export speaks Chinese: actors, actions, reasons and authors by name."""

from moderation.export.duty_records import (
    RECORD_ACTION_NAMES,
    actor_name,
    author_name,
    reason_name,
)
from moderation.states import FLAG_NAMES, REJECT_REASONS


def test_a_rules_reason_names_the_flag_and_keeps_the_words():
    names = {**FLAG_NAMES, **REJECT_REASONS, "vulgar": "色情低俗"}
    assert reason_name("banned:代开发票", names) == "违禁词：代开发票"
    assert reason_name("abuse", names) == "辱骂"
    assert reason_name("vulgar", names) == "色情低俗"
    assert reason_name("自定义原因", names) == "自定义原因"  # free text stays as written
    assert reason_name(None, names) is None


def test_automatic_actors_are_named_and_people_kept():
    assert actor_name("rule:1") == "规则 #1"
    assert actor_name("system") == "系统"
    assert actor_name("mode:post").startswith("稿件审核模式")
    assert actor_name("王审核") == "王审核"


def test_author_keys_name_their_channel_by_label():
    labels = {"zznews": "株洲新闻网"}
    assert author_name("zznews:u-5", labels) == "株洲新闻网:u-5"
    assert author_name("user:admin", labels) == "账号:admin"
    assert author_name("other:x", labels) == "other:x"


def test_every_report_and_appeal_state_has_a_name():
    for state in ("open", "upheld", "dismissed"):
        assert f"report:{state}" in RECORD_ACTION_NAMES
    for state in ("comment", "mute", "open", "upheld", "denied"):
        assert f"appeal:{state}" in RECORD_ACTION_NAMES
