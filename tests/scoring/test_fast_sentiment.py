"""Exactness of the fast scorer against snownlp itself: words, probabilities, caches, pool."""

from __future__ import annotations

import csv
import os
import random
from pathlib import Path

import pytest

from moderation.scoring import fast_segment, fast_sentiment

ROOT = Path(__file__).resolve().parents[2]
TOL = 1e-12

COMMON = (
    "支持 政府 小区 停车 物业 服务 太差了 点赞 希望 株洲 "
    "领导 关注 问题 解决 什么时候 垃圾 不错 好评 老百姓 真的 "
    "无语 记者 报道 新闻 城市 交通 拥堵 医院 学校 孩子 老师 "
    "家长 房价 工资 涨价 市民 部门 回复 投诉 电话 没人接 "
    "多次 反映 一直 没有 处理 感谢 辛苦了 加油 好样的 厉害 "
    "可惜 担心 安全 下雨 马路 修路 施工 噪音 晚上 睡不着 "
    "环境 越来越好 美丽 湘江 风光带 公园 散步 健身 菜市场 "
    "价格 便宜 贵 骗子 曝光 严查 处罚 规定 为什么 怎么 还是 "
    "已经 就是 可以 不能 应该 我们 你们 他们 大家 自己 这个 "
    "那个 今天 明天 去年 以后 现在 特别 非常 比较 有点 太 "
    "很 高铁 公交 地铁 出租车 共享单车 外卖 快递 网购 直播 "
    "视频 手机 流量 信号 宽带 停电 停水 炎陵 醴陵 攸县 茶陵 "
    "芦淞 荷塘 石峰 天元 渌口 神农城 火车站 服装城 动力谷 "
).split()
TRADITIONAL = "們 這 說 國 對 還 樂 會 時 來 學 發 經 過 為 與 點 讚 區 裡 車 電 話 隊 長".split()
RARE = "乂 亍 兀 丌 爿 彳 夂 夊 宀 巛 廴 彡 耒 臼 舛 艮 虍 豸 鬲 龠 鼗 龢 齉 爨 纛 麤".split()
PUNCT = list("，。！？；：、…“”‘’（）《》【】～—·") + list(",.!?;:()[]~-/#@&%*+=")
SPACES = [" ", "  ", "\t", "\n", "\r\n", "\u3000", "\xa0", "\u2003"]
LATIN = (
    "OK ok App APP hhh 666 5G WiFi VIP PM2.5 No.1 CCTV GDP xswl yyds u1s1 www.zz.cn @小编".split()
)
EMOJI = ["😂", "👍", "🙏", "❤️", "😡", "🤣", "[赞]", "[哈哈]", "[怒]", "😭", "🌸", "✌"]


def _token(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.55:
        return rng.choice(COMMON)
    if r < 0.62:
        return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(1, 3)))
    if r < 0.66:
        return rng.choice(TRADITIONAL)
    if r < 0.68:
        return rng.choice(RARE)
    if r < 0.80:
        return rng.choice(PUNCT)
    if r < 0.84:
        return str(rng.randint(0, 10 ** rng.randint(1, 6)))
    if r < 0.89:
        return rng.choice(LATIN)
    if r < 0.94:
        return rng.choice(EMOJI)
    if r < 0.97:
        return rng.choice(SPACES)
    return (
        chr(rng.randint(0x3400, 0x4DB5)) if rng.random() < 0.5 else chr(rng.randint(0x9FA6, 0x9FFF))
    )


def make_comments(n: int, seed: int = 7) -> list[str]:
    """Chinese news-comment-like texts with the odd cases a scorer meets."""
    rng = random.Random(seed)
    out = ["", " ", "\n\t ", "。", "好", "的", "了了了", "哈" * 40, "abc def", "😂😂😂"]
    while len(out) < n - 1:
        length = min(300, max(1, int(rng.lognormvariate(3.1, 0.8))))
        parts: list[str] = []
        while sum(map(len, parts)) < length:
            parts.append(_token(rng))
        out.append("".join(parts))
    long_parts: list[str] = []
    while sum(map(len, long_parts)) < 20000:
        long_parts.append(_token(rng))
    out.append("".join(long_parts)[:20000])
    return out


def _data_dir() -> Path | None:
    for candidate in (
        os.environ.get("MODERATION_SENTIMENT_DATA"),
        ROOT / "../shared/data/sentiment",
    ):
        if candidate and Path(candidate).is_dir() and list(Path(candidate).glob("*.csv")):
            return Path(candidate)
    return None


def weibo_texts(limit: int = 1000) -> list[str]:
    """An evenly spread sample of the labelled Weibo posts, when the shared data exists."""
    folder = _data_dir()
    if folder is None:
        return []
    texts: list[str] = []
    for path in sorted(folder.glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            texts += [row["text"] for row in csv.DictReader(f) if row.get("text") is not None]
    step = max(1, len(texts) // limit)
    return texts[::step][:limit]


@pytest.fixture(scope="session")
def snow():
    """snownlp itself (slow import, once per session)."""
    import snownlp

    return snownlp


@pytest.fixture(scope="session")
def fast() -> fast_sentiment.FastSentiment:
    """The fast scorer, from the default cache (built on the first run on a machine)."""
    return fast_sentiment.load(cache_dir=os.environ.get("MODERATION_CACHE_DIR"))


@pytest.fixture(scope="session")
def generated() -> list[str]:
    return make_comments(1300)


def _assert_same(snow, fast, texts: list[str]) -> None:
    """Words and probability equal snownlp's; snownlp segments once per text (it is slow)."""
    classifier = snow.sentiment.classifier.classifier  # the loaded Bayes of Sentiment
    for i, text in enumerate(texts):
        words = snow.seg.seg(text)
        assert fast.segment(text) == words, text
        if i % 20 == 0:  # the full snownlp path, on a sample
            expected = snow.sentiment.classify(text)
        else:  # Sentiment.classify's body, reusing the words above
            ret, prob = classifier.classify(snow.normal.filter_stop(words))
            expected = prob if ret == "pos" else 1 - prob
        got = fast.classify(text)
        assert abs(got - expected) <= TOL, (text, got, expected)


def test_generated_comments_match_snownlp(snow, fast, generated):
    assert len(generated) == 1300
    assert any(len(t) == 20000 for t in generated)
    _assert_same(snow, fast, generated)


def test_weibo_posts_match_snownlp(snow, fast):
    texts = weibo_texts()
    if not texts:
        pytest.skip("labelled Weibo data not found (set MODERATION_SENTIMENT_DATA)")
    assert len(texts) >= 1000
    _assert_same(snow, fast, texts)


def test_sentiments_property_and_stop_words(snow, fast):
    for text in ("这个服务太差了，投诉多次没人处理！", "点赞株洲，越来越好 👍", "的了吗"):
        assert abs(fast.classify(text) - snow.SnowNLP(text).sentiments) <= TOL
        assert fast.segment(text) == snow.SnowNLP(text).words
    stop = fast_sentiment.read_stop_words(str(fast_segment.snownlp_dir() / "normal/stopwords.txt"))
    assert stop == snow.normal.stop
    assert fast.version.startswith("snownlp-0.12.3+") and len(fast.version.split("+")[1]) == 12


def _tag_sentences(words_lines: list[str]) -> list[list[tuple[str, str]]]:
    data = []
    for line in words_lines:
        sent = []
        for word in line.split():
            if len(word) == 1:
                sent.append((word, "s"))
            else:
                sent += [(word[0], "b")] + [(c, "m") for c in word[1:-1]] + [(word[-1], "e")]
        data.append(sent)
    return data


def _train_tiny_seg(path: Path, lines: list[str]) -> None:
    from snownlp.seg.y09_2047 import CharacterBasedGenerativeModel

    model = CharacterBasedGenerativeModel()
    model.train(_tag_sentences(lines))
    model.save(str(path))  # writes path + ".3", gzip'd


def _snow_seg_with(snow, monkeypatch, model_path: Path, texts: list[str]) -> list[list[str]]:
    from snownlp.seg.seg import Seg

    seg = Seg()
    seg.load(str(model_path))
    with monkeypatch.context() as m:
        m.setattr(snow.seg, "segger", seg)
        return [snow.seg.seg(t) for t in texts]


TINY_A = ["我们 支持 政府", "小区 停车 问题 一直 没有 解决", "株洲 越来越 好", "服务 太 差 了"]
TINY_B = ["我 们支 持政府", "小区停车 问题", "株 洲越来越好 啊", "服务太差 了", "好 的"]


def test_seg_cache_built_reused_and_invalidated(snow, monkeypatch, tmp_path, generated):
    model = tmp_path / "seg.marshal"
    cache = tmp_path / "cache"
    texts = generated[:300] + ["我们支持政府小区停车", "株洲越来越好了吗", "服务太差"]
    _train_tiny_seg(model, TINY_A)
    model_file = str(model) + ".3"
    cold = fast_segment.load_segmenter(model_file, str(cache))
    assert len(list(cache.glob("seg-*"))) == 1
    expected = _snow_seg_with(snow, monkeypatch, model, texts)
    assert [cold.seg(t) for t in texts] == expected

    def no_build(_model):
        raise AssertionError("the cache should have been reused")

    with monkeypatch.context() as m:
        m.setattr(fast_segment, "build_seg_tables", no_build)
        warm = fast_segment.load_segmenter(model_file, str(cache))
    assert [warm.seg(t) for t in texts] == expected

    _train_tiny_seg(model, TINY_B)  # same path, new contents
    changed = fast_segment.load_segmenter(model_file, str(cache))
    assert len(list(cache.glob("seg-*"))) == 2
    expected_b = _snow_seg_with(snow, monkeypatch, model, texts)
    assert expected_b != expected
    assert [changed.seg(t) for t in texts] == expected_b


def test_one_process_builds_a_models_tables_once_whatever_the_cache_folder(monkeypatch, tmp_path):
    model = tmp_path / "seg.marshal"
    _train_tiny_seg(model, ["株洲 下雪 了", "环卫 工人 辛苦 了"])
    model_file = str(model) + ".3"
    first = fast_segment.load_segmenter(model_file, str(tmp_path / "first"))

    def no_build(_model):
        raise AssertionError("built a second time in one process")

    monkeypatch.setattr(fast_segment, "build_seg_tables", no_build)
    (tmp_path / "first").rename(tmp_path / "moved")  # no file to read: only memory has them
    second = fast_segment.load_segmenter(model_file, str(tmp_path / "second"))
    assert second.seg("株洲下雪了") == first.seg("株洲下雪了")
    assert len(list((tmp_path / "second").glob("seg-*"))) == 1  # the folder gets its file


def test_cache_folder_is_the_data_folders_unless_moderation_cache_dir_is_set(monkeypatch, tmp_path):
    monkeypatch.delenv(fast_segment.CACHE_DIR_ENV, raising=False)
    assert fast_segment.cache_dir_for(tmp_path / "data") == str(tmp_path / "data" / "cache")
    monkeypatch.setenv(fast_segment.CACHE_DIR_ENV, str(tmp_path / "shared"))
    assert fast_segment.cache_dir_for(tmp_path / "data") == str(tmp_path / "shared")
    assert fast_segment.default_cache_dir() == str(tmp_path / "shared")


NEG = ["服务太差了，投诉没人管", "垃圾，骗子，无语", "停车难问题一直没有解决", "太贵了不值"]
POS = ["点赞，辛苦了", "越来越好，支持", "感谢记者的报道", "环境美丽，加油"]


def _copy_seg_cache(fast_cache: str | None, cache: Path) -> None:
    """Give a fresh cache folder the already-built seg tables (their build is tested above)."""
    src_dir = Path(fast_cache or fast_segment.default_cache_dir())
    cache.mkdir()
    for src in src_dir.glob("seg-*.marshal"):
        (cache / src.name).write_bytes(src.read_bytes())


def test_retrained_sentiment_model(snow, fast, tmp_path, generated):
    from snownlp.sentiment import Sentiment

    cache = tmp_path / "cache"
    _copy_seg_cache(os.environ.get("MODERATION_CACHE_DIR"), cache)
    path = str(tmp_path / "sentiment.marshal")
    texts = generated[:400] + NEG + POS
    trained = Sentiment()
    trained.train(NEG, POS)
    trained.save(path)  # writes path + ".3"
    assert os.path.exists(path + ".3")
    reference = Sentiment()
    reference.load(path)
    mine = fast_sentiment.load(sentiment_model_path=path, cache_dir=str(cache))
    assert mine.version != fast.version
    scores_a = [mine.classify(t) for t in texts]
    assert all(abs(a - reference.classify(t)) <= TOL for a, t in zip(scores_a, texts, strict=True))
    assert len(list(cache.glob("sent-*"))) == 1

    retrained = Sentiment()
    retrained.train(NEG + ["差评"], POS + ["好评"])
    retrained.save(path)
    reference.load(path)
    mine_b = fast_sentiment.load(sentiment_model_path=path, cache_dir=str(cache))
    assert len(list(cache.glob("sent-*"))) == 2
    scores_b = [mine_b.classify(t) for t in texts]
    assert scores_b != scores_a
    assert all(abs(b - reference.classify(t)) <= TOL for b, t in zip(scores_b, texts, strict=True))
    pooled = fast_sentiment.score_many(
        texts, sentiment_model_path=path, cache_dir=str(cache), processes=2, chunksize=50
    )
    assert pooled == scores_b


def test_score_many_two_processes_equals_sequential(fast, generated):
    cache = os.environ.get("MODERATION_CACHE_DIR")
    texts = generated[:1200]
    sequential = [fast.classify(t) for t in texts]
    assert (
        fast_sentiment.score_many(texts, cache_dir=cache, processes=2, chunksize=100) == sequential
    )
    assert fast_sentiment.score_many(texts[:10], cache_dir=cache, processes=2) == sequential[:10]
    assert fast_sentiment.score_many([], cache_dir=cache) == []


def test_building_segmenter_tables_says_what_it_prepares(tmp_path, caplog):
    import logging

    from moderation.scoring import fast_segment

    path = str(tmp_path / "tables.cache")
    with caplog.at_level(logging.INFO, logger="moderation.scoring.fast_segment"):
        tables = fast_segment.cached_tables(path, "test-format", "digest-1", lambda: {"n": 1})
    assert tables["n"] == 1
    assert f"preparing the Chinese segmenter tables (first start only): {path}" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="moderation.scoring.fast_segment"):
        fast_segment.cached_tables(path, "test-format", "digest-1", lambda: {"n": 2})
    assert "preparing" not in caplog.text  # built once, then read from memory or the file
