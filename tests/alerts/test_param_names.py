"""Every alert rule parameter has a Chinese name and a unit or help line."""

import re

from moderation.alerts.conditions import DEFAULT_PARAMS
from moderation.alerts.param_names import NAMES, in_words, param_name


def test_every_parameter_of_every_kind_has_a_chinese_name():
    for kind, params in DEFAULT_PARAMS.items():
        for key in params:
            name = param_name(kind, key)
            assert key in NAMES, key
            assert re.search(r"[\u4e00-\u9fff]", name.label), (kind, key)
            assert name.help and "_" not in name.label + name.help, (kind, key)


def test_minutes_means_what_the_kind_waits_for():
    assert param_name("queue_age", "minutes").label == "最早待审评论等待超过"
    assert param_name("channel_failing", "minutes").label == "渠道连续失败超过"


def test_errors_name_parameters_in_chinese():
    assert in_words("negative_spike", "window_minutes 应为数字") == "“统计时段” 应为数字"
    assert in_words("queue_age", "minutes 须在 5 到 10080 之间").startswith("“最早待审评论")
