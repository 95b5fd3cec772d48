"""Tests for the offensive-model lifecycle: retraining, the versioned store, the shipped data."""

import pytest

from moderation.scoring import model_store as sm
from moderation.scoring import offensive
from moderation.scoring import offensive_models as om

INSULTS = [
    f"{who}是个{what}"
    for who in ("记者", "小编", "局长", "楼上")
    for what in ("废物", "蠢猪", "狗东西", "白痴", "傻子")
]
CIVIL = [
    f"{who}的{what}需要改进"
    for who in ("记者", "小编", "局长", "街道")
    for what in ("报道", "回复", "工作", "效率", "态度")
]
NEWSROOM = [(1, text) for text in INSULTS] + [(0, text) for text in CIVIL]


@pytest.fixture(scope="module")
def small_base():
    """A slice of COLD, so a retraining takes a second instead of half a minute."""
    return om.cold_rows()[:1500]


def test_shipped_data_is_cold_train_and_dev_plus_seed():
    cold, seed = om.cold_rows(), om.seed_rows()
    assert len(cold) == 25_726 + 6_431
    assert {label for label, _ in seed} == {0, 1}
    assert (offensive.SHIPPED_DIR / "LICENSE-COLD").read_text().startswith(" " * 5)
    assert "COLD" in (offensive.SHIPPED_DIR / "NOTICE").read_text()


def test_store_starts_on_the_shipped_model(tmp_path):
    store = om.OffensiveStore(tmp_path)
    assert store.active_version() == offensive.SHIPPED_VERSION
    assert store.active_model().score("你这个骗子狗东西") > 0.5


def test_train_switches_when_held_out_auc_holds_up(tmp_path, small_base):
    result = om.train(tmp_path, NEWSROOM, [], holdout_fraction=0.3, base=small_base)
    assert result.switched == (result.candidate.roc_auc >= result.current.roc_auc)
    store = om.OffensiveStore(tmp_path)
    assert store.active_version() == result.active_version


def test_check_set_is_class_balanced_and_unseen(tmp_path, small_base):
    result = om.train(tmp_path, NEWSROOM, [], holdout_fraction=0.3, base=small_base)
    check = sm.balanced([row for row in NEWSROOM if sm.is_held_out(row[1], 0.3, 0)])
    assert result.candidate.n == len(check) > 0
    assert sum(label for label, _ in check) * 2 == len(check)


def test_identical_retraining_does_not_stack_a_version(tmp_path, small_base):
    first = om.train(tmp_path, NEWSROOM, [], holdout_fraction=0.3, base=small_base)
    second = om.train(tmp_path, NEWSROOM, [], holdout_fraction=0.3, base=small_base)
    assert second.version == first.version
    assert len(om.OffensiveStore(tmp_path).list_versions()) == 2  # shipped + one


def test_activate_and_restore(tmp_path, small_base):
    result = om.train(tmp_path, NEWSROOM, [], holdout_fraction=0.3, base=small_base)
    store = om.OffensiveStore(tmp_path)
    store.activate(result.version)
    assert store.active_model().version == result.version
    assert store.restore_previous() in (offensive.SHIPPED_VERSION, result.version)
    with pytest.raises(KeyError, match="unknown offensive model version"):
        store.activate("newsroom-nope")


def test_train_without_new_rows_is_refused(tmp_path, small_base):
    with pytest.raises(ValueError, match="nothing new to learn from"):
        om.train(tmp_path, [], [], base=small_base)


def test_train_needs_both_classes_held_out(tmp_path, small_base):
    with pytest.raises(ValueError, match="both offensive and civil"):
        om.train(tmp_path, [(1, text) for text in INSULTS], [], base=small_base)


def test_csv_rows_with_extra_columns_are_read(tmp_path):
    path = tmp_path / "cold.csv"
    path.write_text("label,text,topic\n1,你这个废物,region\n0,天气不错,race\n", encoding="utf-8")
    assert sm.read_labelled_csv(path) == [(1, "你这个废物"), (0, "天气不错")]
    path.write_text("label,text,topic\n1,你这个废物\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2: expected 3 columns"):
        sm.read_labelled_csv(path)
