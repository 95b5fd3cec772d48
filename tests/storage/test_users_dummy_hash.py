"""The dummy password hash (for unknown user names) is made on first use, not at import."""

import subprocess
import sys

from moderation.storage import users
from tests.helpers import PASSWORD, ROOT

COUNT_HASHES_AT_IMPORT = """
import werkzeug.security
made = []
real = werkzeug.security.generate_password_hash
werkzeug.security.generate_password_hash = lambda *a, **k: made.append(1) or real(*a, **k)
import moderation.storage.users
import moderation.web.auth
print(len(made))
"""


def test_importing_user_storage_hashes_nothing():
    out = subprocess.run(
        [sys.executable, "-c", COUNT_HASHES_AT_IMPORT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "0"


def test_unknown_user_is_checked_against_a_real_scrypt_hash(db):
    users.add_user(db, "editor1", "editor", PASSWORD)
    assert users.authenticate(db, "nobody", PASSWORD) is None
    assert users._dummy_hash().startswith("scrypt:")
    assert users._dummy_hash() is users._dummy_hash()  # made once per process
    assert users.authenticate(db, "editor1", PASSWORD)["name"] == "editor1"
