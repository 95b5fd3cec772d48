"""Each provider against its local stand-in: the documented signature byte for byte, the
answer parsed into the desk's levels and labels, errors, rate limits and timeouts."""

from __future__ import annotations

import hashlib
import time

import pytest

from moderation.second_opinion import (
    ask_all,
    build_providers,
    content_digest,
    make_provider,
    signing,
)
from moderation.second_opinion.ask import MAX_THREADS
from tests.second_opinion.standins import Aliyun, Guard, Tencent, Webhook, Yidun, serving

ENV = {"SO_KEY_ID": "test-id", "SO_KEY_SECRET": "test-secret"}
STAND_INS = {
    "aliyun": Aliyun,
    "tencent": Tencent,
    "yidun": Yidun,
    "webhook": Webhook,
    "guard": Guard,
}
EXTRA = {"yidun": {"service": "biz-1"}, "aliyun": {"region": "cn-shanghai"}}
TEXT = "这条评论骂人：傻子一个，电话 13912345678"


@pytest.fixture(autouse=True)
def secrets(monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


def provider_for(kind: str, url: str, **keys):
    """A configured provider of `kind` pointing at `url`."""
    entry = {
        "name": kind,
        "type": kind,
        "url": url,
        "timeout_seconds": 3.0,
        "key_id_env": "SO_KEY_ID",
        "key_secret_env": "SO_KEY_SECRET",
        **EXTRA.get(kind, {}),
        **keys,
    }
    if kind == "guard":
        entry.pop("key_id_env")
        entry["key_secret_env"] = ""
    if kind == "webhook":
        entry.pop("key_id_env")
    return make_provider(build_providers([entry])[kind])


def ask_one(provider, text=TEXT):
    (asked,) = ask_all([(provider, content_digest(text), text)])
    return asked


# -- the documentation's own examples ------------------------------------------------------

ALIYUN_DOC = {
    "Timestamp": "2016-02-23T12:46:24Z",
    "Format": "XML",
    "AccessKeyId": "testid",
    "Action": "DescribeRegions",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    "Version": "2014-05-26",
    "SignatureVersion": "1.0",
}


def test_aliyun_signature_matches_the_documented_example():
    """Alibaba Cloud's RPC signature page: DescribeRegions with testid / testsecret."""
    assert signing.aliyun_string_to_sign("GET", ALIYUN_DOC) == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML"
        "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
        "%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z"
        "%26Version%3D2014-05-26"
    )
    assert (
        signing.aliyun_signature("GET", ALIYUN_DOC, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    )


def test_aliyun_percent_encoding_follows_the_documented_rules():
    assert signing.percent_encode("a b*c~d/中") == "a%20b%2Ac~d%2F%E4%B8%AD"


TENCENT_PAYLOAD = (
    b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
)


def test_tencent_tc3_matches_the_documented_example():
    """Tencent's 签名方法 v3 page: DescribeInstances at 1551113065 with its example key."""
    steps = signing.tc3_authorization(
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        "cvm",
        1551113065,
        {"Content-Type": "application/json; charset=utf-8", "Host": "cvm.tencentcloudapi.com"},
        TENCENT_PAYLOAD,
    )
    assert steps["canonical_request"] == (
        "POST\n/\n\ncontent-type:application/json; charset=utf-8\n"
        "host:cvm.tencentcloudapi.com\n\ncontent-type;host\n"
        "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
    )
    assert steps["string_to_sign"] == (
        "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n"
        "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
    )
    assert steps["signature"] == "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    assert steps["authorization"] == (
        "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/"
        "tc3_request, SignedHeaders=content-type;host, "
        "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    )


def test_yidun_signature_follows_the_documented_rule():
    """易盾: names sorted, name+value concatenated, secretKey appended, MD5 hex (its demos'
    gen_signature); the `signature` parameter itself is left out."""
    params = {
        "secretId": "sid",
        "businessId": "bid",
        "version": "v5.3",
        "timestamp": "1700000000000",
        "nonce": "42",
        "dataId": "d1",
        "content": "你好 world",
        "signature": "old",
    }
    buffer = (
        "businessIdbidcontent你好 worlddataIdd1nonce42secretIdsid"
        "timestamp1700000000000versionv5.3" + "KEY"
    )
    assert signing.yidun_signature(params, "KEY") == hashlib.md5(buffer.encode()).hexdigest()


# -- every provider against its stand-in --------------------------------------------------


@pytest.mark.parametrize("kind", sorted(STAND_INS))
@pytest.mark.parametrize("verdict", ["pass", "review", "block"])
def test_provider_answer_is_signed_and_read(kind, verdict):
    with serving(STAND_INS[kind]()) as stand_in:
        stand_in.verdict = verdict
        asked = ask_one(provider_for(kind, stand_in.url))
    assert asked.status == "ok", asked.error
    assert asked.answer.level == verdict
    assert asked.provider == kind and asked.latency_ms >= 0
    if verdict == "pass":
        assert asked.answer.labels == ()
    else:
        assert asked.answer.labels and asked.answer.provider_labels


def test_aliyun_request_carries_the_documented_parameters():
    with serving(Aliyun()) as stand_in:
        ask_one(provider_for("aliyun", stand_in.url))
    (params,) = stand_in.seen
    assert params["Action"] == "TextModerationPlus" and params["Version"] == "2022-03-02"
    assert params["Service"] == "comment_detection_pro" and params["RegionId"] == "cn-shanghai"
    assert params["SignatureMethod"] == "HMAC-SHA1" and params["Format"] == "JSON"


def test_aliyun_block_names_its_labels():
    with serving(Aliyun()) as stand_in:
        asked = ask_one(provider_for("aliyun", stand_in.url))
    assert asked.answer.provider_labels == ("abuse", "political_entity")
    assert asked.answer.labels == ("abuse", "politics")


def test_tencent_sends_base64_content_and_its_headers():
    with serving(Tencent()) as stand_in:
        ask_one(provider_for("tencent", stand_in.url, region="ap-shanghai"))
    (seen,) = stand_in.seen
    assert seen["headers"]["x-tc-version"] == "2020-12-29"
    assert seen["headers"]["x-tc-region"] == "ap-shanghai"
    import base64

    assert base64.b64decode(seen["body"]["Content"]).decode() == TEXT


def test_yidun_labels_keep_its_numbers_and_names():
    with serving(Yidun()) as stand_in:
        asked = ask_one(provider_for("yidun", stand_in.url))
    assert asked.answer.provider_labels == ("600 谩骂（600017）",)
    assert asked.answer.labels == ("abuse",)
    assert stand_in.seen[0]["businessId"] == "biz-1" and stand_in.seen[0]["version"] == "v5.3"


def test_guard_parses_qwen3guard_words():
    with serving(Guard()) as stand_in:
        asked = ask_one(provider_for("guard", stand_in.url, model="qwen3guard-gen-0.6b"))
    assert asked.answer.provider_labels == ("Politically Sensitive Topics",)
    assert asked.answer.labels == ("politics",)
    (seen,) = stand_in.seen
    assert seen["body"]["messages"] == [{"role": "user", "content": TEXT}]
    assert seen["body"]["model"] == "qwen3guard-gen-0.6b"


@pytest.mark.parametrize("kind", sorted(STAND_INS))
def test_provider_error_answer_is_a_recorded_failure(kind):
    with serving(STAND_INS[kind]()) as stand_in:
        stand_in.mode = "error"
        asked = ask_one(provider_for(kind, stand_in.url))
    assert asked.status in ("failed", "bad_answer") and asked.answer is None
    assert asked.error


@pytest.mark.parametrize("kind", sorted(STAND_INS))
def test_provider_rate_limit_is_recognised(kind):
    with serving(STAND_INS[kind]()) as stand_in:
        stand_in.mode = "throttle"
        asked = ask_one(provider_for(kind, stand_in.url))
    assert asked.status == "rate_limited", asked.error


@pytest.mark.parametrize("kind", ["aliyun", "tencent", "webhook", "yidun"])  # the signed ones
def test_wrong_secret_fails_the_stand_ins_signature_check(kind, monkeypatch):
    monkeypatch.setenv("SO_KEY_SECRET", "another-secret")
    with serving(STAND_INS[kind]()) as stand_in:
        asked = ask_one(provider_for(kind, stand_in.url))
    assert asked.status != "ok"


@pytest.mark.parametrize("kind", sorted(STAND_INS))
def test_slow_provider_times_out_before_it_answers(kind):
    """The scoring pass gets a timeout back while the stand-in is still busy answering."""
    with serving(STAND_INS[kind]()) as stand_in:
        stand_in.mode, stand_in.delay = "slow", 3.0
        asked = ask_one(provider_for(kind, stand_in.url, timeout_seconds=0.3))
        answered_meanwhile = stand_in.finished.is_set()
    assert asked.status == "timeout" and asked.answer is None
    assert not answered_meanwhile
    assert asked.latency_ms == 300


def test_missing_secret_is_a_failure_naming_the_variable(monkeypatch):
    monkeypatch.delenv("SO_KEY_SECRET")
    asked = ask_one(provider_for("aliyun", "http://127.0.0.1:9"))
    assert asked.status == "failed" and "SO_KEY_SECRET" in asked.error


def test_a_silent_provider_does_not_hold_back_a_fast_one():
    """Two providers asked together: the fast one's answer is kept, the slow one times out."""
    with serving(Guard()) as fast, serving(Yidun()) as slow:
        slow.mode, slow.delay = "slow", 3.0
        results = ask_all(
            [
                (provider_for("guard", fast.url), "d", TEXT),
                (provider_for("yidun", slow.url, timeout_seconds=0.3), "d", TEXT),
            ]
        )
    assert [r.status for r in results] == ["ok", "timeout"]


def test_ask_all_survives_a_provider_bug():
    class Broken:
        settings = build_providers([{"name": "b", "type": "guard"}])["b"]

        def ask(self, text):
            raise KeyError("oops")

    (asked,) = ask_all([(Broken(), "d", "x")])
    assert asked.status == "failed" and "KeyError" in asked.error


def test_content_digest_folds_copies_of_a_campaign():
    assert content_digest("好评 ，  真棒\n") == content_digest("好评，真棒")
    assert content_digest("ＡＢＣ") == content_digest("ABC")
    assert content_digest("甲") != content_digest("乙")


def test_texts_queued_past_the_deadline_are_not_sent():
    """More texts than threads through a slow provider: the running calls time out, the
    queued ones are never sent."""
    with serving(Guard()) as stand_in:
        stand_in.mode, stand_in.delay = "slow", 1.0
        provider = provider_for("guard", stand_in.url, timeout_seconds=0.3)
        results = ask_all([(provider, f"d{n}", f"第{n}条") for n in range(20)])
        time.sleep(0.5)  # let the started calls reach the stand-in
        sent = stand_in.received
    statuses = [r.status for r in results]
    unsent = statuses.count("not_sent")
    assert statuses.count("timeout") + unsent == 20 and unsent >= 20 - MAX_THREADS
    assert sent <= 20 - unsent  # the texts recorded as not sent never left


def test_default_endpoints_follow_the_documentation():
    entries = [
        {"name": "a", "type": "aliyun", "key_id_env": "X", "key_secret_env": "Y"},
        {
            "name": "b",
            "type": "aliyun",
            "key_id_env": "X",
            "key_secret_env": "Y",
            "region": "cn-beijing",
        },
        {"name": "t", "type": "tencent", "key_id_env": "X", "key_secret_env": "Y"},
        {"name": "y", "type": "yidun", "key_id_env": "X", "key_secret_env": "Y", "service": "b"},
    ]
    endpoints = {name: p.endpoint for name, p in build_providers(entries).items()}
    assert endpoints == {
        "a": "https://green-cip.cn-shanghai.aliyuncs.com",
        "b": "https://green-cip.cn-beijing.aliyuncs.com",
        "t": "https://tms.tencentcloudapi.com",
        "y": "http://as.dun.163.com/v5/text/check",
    }
