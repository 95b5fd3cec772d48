"""Benchmark the fast exact scorer against snownlp: throughput, pool, load times, peak RSS.

Usage: python bench/bench_scorer.py [--n 3000] [--seed 1]

Each phase runs in its own subprocess so that load times and peak RSS are per process.
snownlp and the fast scorer are timed in the same process on alternating blocks of the
same texts, pinned to one core, so their ratio holds on a shared, noisy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = (
    "支持 政府 小区 停车 物业 服务 太差了 点赞 希望 株洲 领导 关注 问题 解决 什么时候 垃圾 不错 "
    "好评 老百姓 真的 无语 记者 报道 城市 交通 拥堵 医院 学校 孩子 老师 家长 房价 工资 涨价 "
    "市民 部门 回复 投诉 电话 没人接 多次 反映 一直 没有 处理 感谢 辛苦了 加油 好样的 厉害 "
    "可惜 担心 安全 马路 修路 施工 噪音 晚上 睡不着 环境 越来越好 美丽 湘江 公园 散步 菜市场 "
    "价格 便宜 骗子 曝光 严查 处罚 为什么 怎么 还是 已经 就是 可以 不能 应该 我们 你们 大家 "
    "这个 今天 以后 现在 特别 非常 有点 太 很 的 了 是 在 也 都 就 高铁 公交 外卖 快递 停电 "
    "停水 醴陵 攸县 火车站 动力谷 神农城 天元区 芦淞区 菜价 医保 社保 养老 学位 补贴 通知"
).split()
PUNCT = list("，，，。。！？、…～") + [" ", "!", "?", "~", "😂", "👍", "[赞]", "666", "OK"]


def make_comments(n: int, seed: int = 1) -> list[str]:
    """Synthetic reader comments: median ~25 characters, lognormal tail capped at 300."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        length = min(300, max(2, int(rng.lognormvariate(3.2, 0.75))))
        parts: list[str] = []
        size = 0
        while size < length:
            r = rng.random()
            if r < 0.8:
                tok = rng.choice(WORDS)
            elif r < 0.85:
                tok = chr(rng.randint(0x4E00, 0x9FA5))
            else:
                tok = rng.choice(PUNCT)
            parts.append(tok)
            size += len(tok)
        out.append("".join(parts)[:length])
    return out


def peak_rss_mb() -> float:
    """Peak resident set of this process, in MB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_load(cache_dir: str) -> dict:
    """Time load() in a fresh process (cold when cache_dir is empty)."""
    from moderation.scoring import fast_sentiment

    t = time.perf_counter()
    model = fast_sentiment.load(cache_dir=cache_dir)
    seconds = time.perf_counter() - t
    return {
        "seconds": seconds,
        "rss_mb": peak_rss_mb(),
        "snownlp_imported": "snownlp" in sys.modules,
        "version": model.version,
    }


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def phase_compare(cache_dir: str, texts: list[str], block: int = 100) -> dict:
    """snownlp vs fast on one core, alternating blocks of the same texts."""
    _pin_one_core()
    from moderation.scoring import fast_sentiment

    fast = fast_sentiment.load(cache_dir=cache_dir)
    t = time.perf_counter()
    from snownlp import sentiment

    snow_import = time.perf_counter() - t
    nocache = fast_sentiment.load(cache_dir=cache_dir)
    nocache._seg._cache_size = 0  # no clause LRU: every clause through the Viterbi
    wall = {"snow": 0.0, "fast": 0.0, "fast_nocache": 0.0}
    cpu = dict.fromkeys(wall, 0.0)
    scorers = {"snow": sentiment.classify, "fast": fast.classify, "fast_nocache": nocache.classify}
    worst = 0.0
    for i in range(0, len(texts), block):
        chunk = texts[i : i + block]
        results = {}
        for name, score in scorers.items():
            t, c = time.perf_counter(), time.process_time()
            results[name] = [score(x) for x in chunk]
            wall[name] += time.perf_counter() - t
            cpu[name] += time.process_time() - c
        for name in ("fast", "fast_nocache"):
            diffs = [abs(a - b) for a, b in zip(results["snow"], results[name], strict=True)]
            worst = max([worst, *diffs])
    return {
        "snow_import": snow_import,
        "wall": wall,
        "cpu": cpu,
        "max_abs_diff": worst,
        "rss_mb": peak_rss_mb(),
    }


def phase_fast(cache_dir: str, texts: list[str], repeat: int) -> dict:
    """Fast scorer alone: one core sequential vs score_many on 2 processes, and peak RSS."""
    from moderation.scoring import fast_sentiment

    big = make_comments(len(texts) * repeat, seed=len(texts) + 12345)  # fresh texts
    model = fast_sentiment.load(cache_dir=cache_dir)
    fast_sentiment._WORKER.clear()  # score_many must load its own model, as a caller's would
    t, c = time.perf_counter(), time.process_time()
    seq = model.classify_many(big)
    t_seq, c_seq = time.perf_counter() - t, time.process_time() - c

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    t, c = time.perf_counter(), children_cpu() + time.process_time()
    pooled = fast_sentiment.score_many(big, cache_dir=cache_dir, processes=2)
    t_pool, c_pool = time.perf_counter() - t, children_cpu() + time.process_time() - c
    assert pooled == seq
    return {
        "n": len(big),
        "chars": sum(map(len, big)),
        "seq": t_seq,
        "pool": t_pool,
        "seq_cpu": c_seq,
        "pool_cpu": c_pool,
        "rss_mb": peak_rss_mb(),
        "children_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def read_texts(path: str, limit: int) -> list[str]:
    """The first `limit` non-empty texts of a labelled CSV (columns label,text)."""
    import csv

    with open(path, encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle) if row.get("text", "").strip()]
    return texts[:limit]


def shared_cache_dir() -> str:
    """The cache folder every load shares ($MODERATION_CACHE_DIR, else the per-user one)."""
    from moderation.scoring.fast_segment import default_cache_dir

    return default_cache_dir()


def _run_phase(args: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000, help="number of comments")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="pool batch = n * repeat")
    parser.add_argument(
        "--no-cold",
        action="store_true",
        help="skip the cold load (it builds the tables: ~20 s of CPU); use the shared cache",
    )
    parser.add_argument(
        "--texts",
        help="score the `text` column of this CSV (e.g. ../shared/data/sentiment/*.csv, real "
        "Weibo posts) instead of synthetic comments; --n caps how many",
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    texts = read_texts(args.texts, args.n) if args.texts else make_comments(args.n, args.seed)
    if args.phase:
        result = {
            "load": lambda: phase_load(args.cache_dir),
            "compare": lambda: phase_compare(args.cache_dir, texts),
            "fast": lambda: phase_fast(args.cache_dir, texts, args.repeat),
        }[args.phase]()
        print(json.dumps(result))
        return

    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    lengths = sorted(map(len, texts))
    n_chars = sum(lengths)
    print(
        f"{len(texts)} comments, {n_chars} chars, median {lengths[len(lengths) // 2]}, "
        f"p95 {lengths[int(len(lengths) * 0.95)]}, max {lengths[-1]}"
    )
    common = ["--n", str(args.n), "--seed", str(args.seed), "--repeat", str(args.repeat)]
    if args.texts:
        common += ["--texts", args.texts]
        print(f"texts: {args.texts}")
    with tempfile.TemporaryDirectory(prefix="bench-fastsent-") as fresh:
        cache = shared_cache_dir() if args.no_cold else fresh
        cold = (
            None if args.no_cold else _run_phase(["--phase", "load", "--cache-dir", cache, *common])
        )
        warm = _run_phase(["--phase", "load", "--cache-dir", cache, *common])
        cmp_ = _run_phase(["--phase", "compare", "--cache-dir", cache, *common])
        fast = _run_phase(["--phase", "fast", "--cache-dir", cache, *common])

    def row(name: str, seconds: float, n: int, chars: int, base: float | None = None) -> str:
        ratio = f"{base / seconds:8.1f}x" if base else " " * 9
        return f"{name:<34}{n / seconds:>12,.0f}{chars / seconds:>14,.0f}{ratio}"

    for clock in ("wall", "cpu"):
        times = cmp_[clock]
        print(
            f"\n{'one core, same texts, ' + clock + ' time':<34}{'comments/s':>12}{'chars/s':>14}"
            f"{'ratio':>9}"
        )
        print(row("snownlp Sentiment.classify", times["snow"], len(texts), n_chars))
        print(row("fast classify (clause LRU)", times["fast"], len(texts), n_chars, times["snow"]))
        print(
            row("fast classify (no LRU)", times["fast_nocache"], len(texts), n_chars, times["snow"])
        )
    print(f"max |Δp| vs snownlp: {cmp_['max_abs_diff']:.1e}")
    print(f"\n{'batch of ' + str(fast['n']):<34}{'comments/s':>12}{'chars/s':>14}{'speed-up':>9}")
    print(row("fast, 1 process", fast["seq"], fast["n"], fast["chars"]))
    print(row("score_many, 2 processes", fast["pool"], fast["n"], fast["chars"], fast["seq"]))
    print(
        f"  CPU: 1 process {fast['seq_cpu']:.2f} s, pool (parent + workers) "
        f"{fast['pool_cpu']:.2f} s; pool wall speed-up needs 2 idle cores"
    )
    print("\nload and memory")
    print(f"  snownlp import (all models)      {cmp_['snow_import']:8.2f} s")
    if cold:
        print(
            f"  fast load cold (build cache)     {cold['seconds']:8.2f} s   peak RSS "
            f"{cold['rss_mb']:6.0f} MB"
        )
    print(
        f"  fast load warm (cache file)      {warm['seconds']:8.2f} s   peak RSS "
        f"{warm['rss_mb']:6.0f} MB   snownlp imported: {warm['snownlp_imported']}"
    )
    print(
        f"  fast scoring process peak RSS    {fast['rss_mb']:8.0f} MB (pool workers "
        f"{fast['children_rss_mb']:.0f} MB each at most)"
    )
    print(f"  snownlp + fast process peak RSS  {cmp_['rss_mb']:8.0f} MB")
    print(f"  model version {warm['version']}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
