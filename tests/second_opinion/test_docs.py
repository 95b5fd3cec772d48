"""docs/second-opinion.md: the webhook's worked example recomputes, and every provider key
is documented."""

from __future__ import annotations

import hashlib
import hmac
import re

from moderation.declare import keys
from moderation.second_opinion import ProviderSettings, content_digest, webhook
from tests.helpers import ROOT

DOC = (ROOT / "docs" / "second-opinion.md").read_text(encoding="utf-8")


def example() -> dict[str, str]:
    """The worked example's lines, `name: value`."""
    block = DOC.split("Worked example", 1)[1].split("```", 2)[1]
    return dict(line.split(": ", 1) for line in block.strip().splitlines())


def test_webhook_worked_example_recomputes():
    values = example()
    timestamp, body = values["timestamp"], values["body"].encode("utf-8")
    signed = timestamp.encode() + b"." + body
    assert values["signed bytes"].encode("utf-8") == signed
    expected = hmac.new(values["secret"].encode(), signed, hashlib.sha256).hexdigest()
    assert values["X-Moderation-Signature"] == f"sha256={expected}"


def test_webhook_sends_the_documented_bytes():
    values = example()
    text = re.search(r'"text":"([^"]*)"', values["body"]).group(1)
    body, headers = webhook.request(text, values["secret"], int(values["timestamp"]))
    assert body.decode("utf-8") == values["body"]
    assert headers["X-Moderation-Signature"] == values["X-Moderation-Signature"]
    assert f'"id":"{content_digest(text)}"' in values["body"]


def test_every_provider_key_is_documented():
    for name in keys(ProviderSettings):
        assert f"`{name}`" in DOC, name
