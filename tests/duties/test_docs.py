"""docs/operator-duties.md: its worked signature example is right (recomputed here), its
outcome example is what the desk sends, and it names every report reason and setting."""

from __future__ import annotations

import json
import re
from pathlib import Path

from moderation.push.actions import Action
from moderation.push.jsonfeed import body_bytes, request, signature
from moderation.settings import PrivacySettings, ReportSettings
from moderation.storage.reader_reports import REASONS
from tests.helpers import ROOT

DOC = Path(ROOT, "docs", "operator-duties.md").read_text(encoding="utf-8")


def test_worked_signature_example_is_right():
    section = DOC[DOC.index("### Worked example") :]
    body = re.search(r"```json\n(.*?)\n```", section, re.S).group(1).encode("utf-8")
    header = re.search(r"X-ZZRB-Signature: (sha256=[0-9a-f]{64})", section).group(1)
    secret = re.search(r"Secret `([^`]+)`", section).group(1)
    assert signature(secret, body) == header
    fields = json.loads(body)
    assert fields["type"] == "report" and fields["reason"] in REASONS
    assert body_bytes(fields) == body  # compact, sorted: what body_bytes makes


def test_outcome_example_is_what_the_desk_sends():
    section = DOC[DOC.index("## Outcomes pushed back") :]
    shown = json.loads(re.search(r"```json\n(.*?)\n```", section, re.S).group(1))
    action = Action(
        name="report_outcome",
        key="report_outcome:5130",
        comment_native_id="c-1042",
        story_native_id="s-88",
        text=json.dumps(shown["outcome"], ensure_ascii=False),
        decision_id=5130,
        at="2026-12-07T03:02:00+00:00",
    )
    assert request(action) == shown


def test_every_reason_and_setting_is_documented():
    assert all(reason in DOC for reason in REASONS)
    for section in (ReportSettings, PrivacySettings):
        for name in section.__dataclass_fields__:
            assert name in DOC, name
    assert "records_days" in DOC and "reports_overdue" in DOC
