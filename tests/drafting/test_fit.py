"""Learning what this paper prints: agreement with printed editions before and after --fit."""

import pytest

from moderation.drafting import fit, select
from moderation.drafting.weights import default_weights
from tests.drafting.synthetic_weeks import build_weeks


@pytest.fixture
def printed_weeks(db):
    """Nine synthetic weeks, each with an edition printed by the hidden editors' rule."""
    build_weeks(db, weeks=9)
    return db


def test_printed_cases_hold_what_the_editor_could_choose_from(printed_weeks):
    cases = fit.printed_cases(printed_weeks)
    assert len(cases) == 27  # nine weeks, three stories each
    assert all(len(case.printed) == 4 for case in cases)
    # the editors may print what the draft's gates keep out (a 19-character quote, say)
    eligible = sum(len(c.printed & {x["id"] for x in c.candidates}) for c in cases)
    assert eligible >= 0.8 * 27 * 4


def test_split_weeks_holds_out_every_third_week(printed_weeks):
    fitted, held_out = fit.split_weeks(fit.printed_cases(printed_weeks))
    assert len({c.date for c in fitted}) == 6 and len({c.date for c in held_out}) == 3
    assert not {c.date for c in fitted} & {c.date for c in held_out}


def test_agreement_counts_picks_and_alternates():
    candidates = select.prepare(
        [
            {
                "id": n, "text": "河西这边下雪了，环卫工人忙了一整夜，辛苦大家了。" + str(n),
                "author_key": f"a{n}", "channel": "c", "likes": 10 - n, "dup_group": n,
            }
            for n in range(1, 11)
        ],
        {},
    )  # fmt: skip
    case = fit.Case("2024-03-08", candidates, frozenset({1, 9}))
    counts = select.Counts(2, 2, 1)
    assert fit.agreement([case], default_weights(), counts) == 0.5  # 1 is picked; 9 is not proposed


def test_fit_raises_agreement_on_held_out_weeks(printed_weeks, capsys):
    report = fit.fit(printed_weeks, default_weights(), select.Counts())
    with capsys.disabled():
        print(
            f"\nagreement fitted weeks {report.fitted_before:.0%} -> {report.fitted_after:.0%}, "
            f"held-out weeks {report.held_out_before:.0%} -> {report.held_out_after:.0%} "
            f"({report.held_out_quotes} printed quotes); weights {report.after}"
        )
    assert report.fitted_after > report.fitted_before
    assert report.held_out_after > report.held_out_before
    assert report.after.likes < report.before.likes  # the hidden editors ignore likes
