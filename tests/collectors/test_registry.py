"""The collector registry gets its options typed from the settings and never imports them."""

import json
import subprocess
import sys

from moderation.collectors import demo, known_types, make_collector
from moderation.settings import channel_settings
from tests.helpers import ROOT

IMPORT_EVERY_COLLECTOR = """
import json
import sys
import moderation
package = sorted(name for name in sys.modules if name.startswith("moderation."))
from moderation import collectors
for channel_type in collectors.known_types():
    collectors.collector_settings_class(channel_type)
loaded = sorted(name for name in sys.modules if name.startswith("moderation."))
print(json.dumps([package, loaded]))
"""


def test_collectors_load_without_the_settings_module():
    out = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_COLLECTOR],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    package, loaded = json.loads(out.stdout)
    assert "moderation.collectors.wechat" in loaded
    assert "moderation.settings" not in loaded
    # The package imports the subsystems that register their settings (none of them is the
    # settings module); the collectors add only shared names and the package's files.
    assert "moderation.settings" not in package and "moderation.storage" not in package
    outside = {name for name in loaded if not name.startswith("moderation.collectors")}
    assert outside - set(package) <= {
        "moderation.declare",
        "moderation.timeutil",
        "moderation.resources",
    }


def test_channel_options_are_validated_once_and_kept_typed():
    channel = channel_settings({"name": "d", "type": "demo", "page_size": 7})
    assert channel.options == demo.Options(page_size=7)
    collector = make_collector(channel)
    assert collector.options is channel.options
    assert set(known_types()) >= {"demo", "file", "jsonfeed", "wechat", "weibo"}
