"""Moderators deciding from several threads while a collection writes: no lock errors reach
anyone, and the counts add up."""

import threading

from moderation import create_app, pipeline
from moderation.db import connect
from moderation.settings import load_settings
from moderation.storage import users
from tests.helpers import PASSWORD
from tests.reliability.test_crashes import bulk_config


def test_decisions_and_collection_run_together(tmp_path):
    config = bulk_config(
        tmp_path, 2000, page_size=20, extra_channels='[[channels]]\nname = "demo"\ntype = "demo"\n'
    )
    settings = load_settings(config)
    db = connect(settings.database_path)
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    demo_ids = [row[0] for row in db.execute("SELECT id FROM comments ORDER BY id")]
    for number in range(4):
        users.add_user(db, f"mod{number}", "moderator", PASSWORD)
    app = create_app(settings, TESTING=True, WTF_CSRF_ENABLED=False, SECRET_KEY="t")
    errors: list = []

    def moderate(number: int) -> None:
        client = app.test_client()
        client.post("/login", data={"name": f"mod{number}", "password": PASSWORD})
        for comment_id in demo_ids[number::4]:
            response = client.post(f"/comments/{comment_id}/approve", data={"force": "1"})
            if response.status_code != 302:
                errors.append(response.status_code)

    def collect() -> None:
        own = connect(settings.database_path)
        summary = pipeline.collect_channel(own, settings, settings.channel("bulk"))
        errors.extend(summary.errors)

    threads = [threading.Thread(target=moderate, args=(n,)) for n in range(4)]
    threads.append(threading.Thread(target=collect))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert db.execute("SELECT COUNT(*) FROM comments WHERE channel = 'bulk'").fetchone()[0] == 2000
    approved = db.execute("SELECT COUNT(*) FROM comments WHERE status = 'approved'").fetchone()[0]
    assert approved == len(demo_ids)
    assert db.table("decisions").count == len(demo_ids)
