"""Keywords that are words: what a story page, a report and the draft name a topic by.

One extraction for all three (``words_of``): the text is simplified first (traditional text
segmented as it is cut 新年快樂 into 年快), cut by the exact snownlp segmenter, and a piece
is kept only when it is a word:

* made of Chinese characters only, two or more: e-mail addresses, 加V ids, phone and QQ
  numbers and links are never topic labels;
* in the vocabulary: the words of snownlp's own segmentation corpus (People's Daily, 1998)
  and of its pinyin dictionary, plus ``SUPPLEMENT`` (株洲's districts and places, and words
  newer than the corpus). The segmenter, a character tagger, cuts names it does not know
  across word boundaries (京港澳长株段 -> 澳长, 株段; 高速长): such pieces are in no word
  list, so they are dropped;
* not a stop word.

The vocabulary is built once from snownlp's files (~4 s) and cached beside the segmenter's
tables.
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
from collections.abc import Callable

from moderation.scoring.fast_segment import (
    cached_tables,
    default_cache_dir,
    file_sha256,
    load_segmenter,
    snownlp_dir,
)
from moderation.scoring.groups import STOP_WORDS
from moderation.scoring.textnorm import normalize_text, simplified

_FORMAT = "vocab-1"
# 株洲's districts, towns and places, and everyday words newer than the 1998 corpus.
SUPPLEMENT = (
    "芦淞", "石峰", "渌口", "炎陵", "攸县", "茶陵", "醴陵", "天元", "荷塘", "云龙", "神农",
    "神农湖", "神农谷", "湘江", "株洲站", "株洲西站", "建宁", "炎帝", "酒埠江", "大京",
    "网约车", "电动车", "共享单车", "高铁", "高铁站", "动车", "外卖", "快递", "微信", "朋友圈",
    "抖音", "直播", "短视频", "二维码", "扫码", "手机号", "新能源", "充电桩", "停车场",
    "核酸", "疫苗", "网红", "打卡", "灯光秀", "夜市", "烧烤", "米粉", "湿地公园", "垃圾分类",
    "学区房", "物业费", "业委会", "老旧小区", "加装电梯", "城管", "交警", "环卫工人",
    "冰雪", "寒潮", "暴雪", "雨夹雪", "冰冻", "停水", "停电", "供暖", "堵车", "限行",
)  # fmt: skip


def _read_vocabulary(seg_data: str, pinyin: str) -> dict:
    """Every multi-character word of the segmentation corpus and the pinyin dictionary."""
    words: set[str] = set()
    with open(seg_data, encoding="utf-8") as fh:
        for line in fh:
            current: list[str] = []
            for token in line.split():
                char, _, tag = token.rpartition("/")
                if tag == "s":
                    current = []
                    continue
                current.append(char)
                if tag == "e":
                    if len(current) > 1:
                        words.add("".join(current))
                    current = []
    with open(pinyin, encoding="utf-8") as fh:
        for line in fh:
            word = line.split(" ", 1)[0]
            if len(word) > 1:
                words.add(word)
    return {"format": _FORMAT, "words": sorted(words)}


def vocabulary(cache_dir: str | None = None) -> frozenset[str]:
    """The words a keyword may be (corpus, pinyin dictionary, ``SUPPLEMENT``)."""
    seg_data = str(snownlp_dir() / "seg" / "data.txt")
    pinyin = str(snownlp_dir() / "normal" / "pinyin.txt")
    digest = hashlib.sha256((file_sha256(seg_data) + file_sha256(pinyin)).encode()).hexdigest()
    path = os.path.join(cache_dir or default_cache_dir(), f"vocab-{digest[:32]}.{_FORMAT}.marshal")
    tables = cached_tables(path, _FORMAT, digest, lambda: _read_vocabulary(seg_data, pinyin))
    return frozenset(tables["words"]) | frozenset(SUPPLEMENT)


def _is_chinese(term: str) -> bool:
    """Chinese characters only (CJK unified ideographs)."""
    return all("\u4e00" <= char <= "\u9fff" for char in term)


def keyword_words(
    text: str, segment: Callable[[str], list[str]], words: frozenset[str]
) -> list[str]:
    """The pieces of a text that may be keywords, in order (repeats kept for TF)."""
    out = []
    for piece in segment(simplified(text)):
        term = normalize_text(piece)
        if len(term) >= 2 and _is_chinese(term) and term not in STOP_WORDS and term in words:
            out.append(term)
    return out


_lock = threading.Lock()


@functools.cache
def _words_of(cache_dir: str | None) -> Callable[[str], list[str]]:
    """words_of's cached worker (one segmenter and vocabulary per cache folder)."""
    segment = load_segmenter(cache_dir=cache_dir).seg
    words = vocabulary(cache_dir)
    return functools.partial(keyword_words, segment=segment, words=words)


def words_of(cache_dir: str | None = None) -> Callable[[str], list[str]]:
    """``text -> keyword words``: the one extraction of story pages, reports and drafts."""
    with _lock:
        return _words_of(cache_dir)
