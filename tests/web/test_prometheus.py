"""/metrics.txt: off by default, token-protected, in Prometheus' text format."""

from __future__ import annotations

import re

import pytest

from moderation import create_app
from moderation.settings import load_settings
from tests.helpers import write_config

LINE = re.compile(r'^[a-z_]+(\{([a-z_]+="[^"]*",?)+\})? -?[0-9.]+$')


@pytest.fixture
def scraped(tmp_path, db, monkeypatch):
    """A client of an app whose /metrics.txt is on, with the token in the environment."""
    monkeypatch.setenv("T_METRICS_TOKEN", "s3cret-token")
    settings = load_settings(
        write_config(tmp_path, extra='[alerts]\nmetrics_token_env = "T_METRICS_TOKEN"\n')
    )
    app = create_app(settings, TESTING=True, SECRET_KEY="test")
    return app.test_client()


def test_off_by_default(client):
    assert client.get("/metrics.txt").status_code == 404


def test_needs_the_bearer_token(scraped):
    assert scraped.get("/metrics.txt").status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert scraped.get("/metrics.txt", headers=wrong).status_code == 401


def test_exposition_format(scraped, db):
    db.execute(
        "INSERT INTO runs (channel, trigger, started_at, finished_at, status)"
        " VALUES ('demo', 'schedule', '2024-01-01T00:00:00+00:00', '2024-01-01T00:00:01+00:00',"
        " 'ok')"
    )
    response = scraped.get("/metrics.txt", headers={"Authorization": "Bearer s3cret-token"})
    assert response.status_code == 200 and "version=0.0.4" in response.content_type
    text = response.get_data(as_text=True)
    assert 'moderation_collect_runs_total{channel="demo",status="ok"} 1' in text
    assert "moderation_queue_pending 0" in text
    for line in text.splitlines():
        assert line.startswith("# HELP ") or line.startswith("# TYPE ") or LINE.match(line), line
