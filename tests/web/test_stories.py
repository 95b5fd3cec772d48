"""The story page names its channels as the newsroom knows them."""

import re

import pytest

from moderation import pipeline
from tests.helpers import write_config


@pytest.fixture
def config_file(tmp_path):
    """The demo channel with a label."""
    channels = '[[channels]]\nname = "demo"\ntype = "demo"\nlabel = "演示频道"\n'
    return write_config(tmp_path, channels=channels)


def test_story_page_names_the_channel_by_label_not_its_config_name(client, auth, db, settings):
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    auth.login("editor")
    story = db.execute("SELECT id FROM stories ORDER BY id LIMIT 1").fetchone()[0]
    page = client.get(f"/stories/{story}").get_data(as_text=True)
    [meta] = re.findall(r'<span class="linked">(.*?)</span>', page)
    assert meta.startswith("演示频道") and "demo" not in meta
