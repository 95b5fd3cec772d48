"""IP 属地 from the offline database: fixed addresses whose province the database states, a
collected JSON feed carrying commenters' IPs and report counts over real HTTP (region
stored, address dropped unless keep_ip, never in the raw payload), and the card and
author profile showing it."""

from __future__ import annotations

import pytest

from moderation import pipeline
from moderation.collectors import jsonfeed
from moderation.db import connect
from moderation.scoring.ipregion import database_path, lookup, region_of
from moderation.storage import reader_reports
from tests.collectors.conftest import channel_settings
from tests.collectors.test_jsonfeed import TODAY, FakeSite, channel_toml
from tests.helpers import Auth


@pytest.mark.parametrize(
    ("address", "region"),
    [
        ("222.246.129.80", "湖南"),  # 湖南电信 DNS, 长沙
        ("58.20.127.238", "湖南"),  # 湖南联通
        ("202.96.128.86", "广东"),  # 广东电信 DNS, 广州
        ("202.96.209.133", "上海"),  # 上海电信 DNS
        ("219.141.136.10", "北京"),  # 北京电信 DNS
        ("61.139.2.69", "四川"),  # 四川电信 DNS, 成都
        ("202.102.128.68", "山东"),  # 山东联通 DNS, 济南
        ("8.8.8.8", "美国"),
    ],
)
def test_fixed_addresses_map_to_the_province_the_database_states(address, region):
    assert region_of(address) == region
    assert region in lookup(address)  # the database's own text names it


@pytest.mark.parametrize("address", ["10.1.2.3", "192.168.0.9", "127.0.0.1", "::1", "x", ""])
def test_private_and_malformed_addresses_have_no_region(address):
    assert region_of(address) is None


def test_the_database_is_the_shipped_package_file():
    path = database_path()
    assert path.name == "ip2region.xdb" and path.parent.name == "ipregion"
    assert path.stat().st_size > 1_000_000


def feed_with_ips(httpserver):
    site = FakeSite(httpserver, per_story=0)
    story = site.feeds["/feed.json"]["items"][0]["id"]
    site.add(story, "公交站台太远了", ip="222.246.129.80", reports=3, author_id="u-77")
    site.add(story, "支持新线路", ip="10.0.0.8")
    site.add(story, "路修得好", reports=0)
    return site


@pytest.mark.parametrize("keep_ip", [False, True])
def test_collected_ip_becomes_a_region_and_reports_reach_the_queue(
    tmp_path, httpserver, monkeypatch, keep_ip
):
    monkeypatch.setattr(jsonfeed, "local_today", lambda: TODAY)
    site = feed_with_ips(httpserver)
    extra = "\n[privacy]\nkeep_ip = true\n" if keep_ip else ""
    settings = channel_settings(tmp_path, channel_toml(site.url), extra=extra)
    db = connect(settings.database_path)
    summary = pipeline.collect_channel(db, settings, settings.channel("zznews"))
    assert summary.status == "ok", summary.errors
    rows = list(
        db.query(
            "SELECT c.text, r.region, r.ip FROM comment_regions r JOIN comments c "
            "ON c.id = r.comment_id"
        )
    )
    expected_ip = "222.246.129.80" if keep_ip else None
    assert rows == [{"text": "公交站台太远了", "region": "湖南", "ip": expected_ip}]
    raw = " ".join(row[0] for row in db.execute("SELECT payload FROM raw_payloads"))
    assert "222.246.129.80" not in raw and "10.0.0.8" not in raw
    [queued] = reader_reports.queue(db)
    assert queued["text"] == "公交站台太远了" and queued["reports"] == 3
    db.close()


def test_card_and_author_profile_show_the_region(tmp_path, httpserver, monkeypatch):
    monkeypatch.setattr(jsonfeed, "local_today", lambda: TODAY)
    site = feed_with_ips(httpserver)
    settings = channel_settings(tmp_path, channel_toml(site.url))
    db = connect(settings.database_path)
    pipeline.collect_channel(db, settings, settings.channel("zznews"))
    from moderation import create_app

    app = create_app(settings, TESTING=True, WTF_CSRF_ENABLED=False, SECRET_KEY="test")
    client = app.test_client()
    Auth(client, db).login("moderator", "王审核")
    page = client.get("/?queue=all").get_data(as_text=True)
    assert page.count("IP属地：湖南") == 1
    assert "举报 3/3" in page
    profile = client.get("/authors/zznews:u-77").get_data(as_text=True)
    assert "IP属地：湖南" in profile
    db.close()
