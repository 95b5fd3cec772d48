"""Scoring fixtures: the segmenter's tables already in a test's data folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def built_segmenter_cache() -> Path:
    """The fast segmenter's tables, built once per machine (half a minute when cold)."""
    from moderation.scoring import fast_sentiment
    from moderation.scoring.fast_segment import default_cache_dir

    fast_sentiment.load()
    return Path(default_cache_dir())


@pytest.fixture
def segmenter_cache(tmp_path, built_segmenter_cache) -> Path:
    """``tmp_path/cache`` holding the segmenter's tables, as a data folder that served once."""
    target = tmp_path / "cache"
    target.mkdir(exist_ok=True)
    for source in built_segmenter_cache.iterdir():
        try:
            os.link(source, target / source.name)
        except OSError:
            shutil.copyfile(source, target / source.name)
    return target
