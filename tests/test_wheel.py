"""The built wheel runs: installed into a fresh venv and started from an empty folder.

The venv is plain (no system site-packages: the base interpreter may have none of the
dependencies). The wheel and its dependencies are installed with ``--no-index`` from a local
wheel cache packed from the environment running the tests (`tests/wheel_cache.py`), so no
index or internet is needed. The wheel is built by pip; without build isolation when this
environment has the build backend the project asks for, else as `pip install .` would.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
import requests
from packaging.requirements import Requirement
from packaging.version import Version

from tests.wheel_cache import build_cache

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_backend_here() -> bool:
    """Whether this environment has the build backend pyproject.toml requires (then the
    wheel builds offline, without build isolation)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    requires = tomllib.loads(text)["build-system"]["requires"]
    try:
        return all(
            Version(metadata.version(Requirement(r).name)) in Requirement(r).specifier
            for r in requires
        )
    except metadata.PackageNotFoundError:
        return False


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The project's wheel, built by pip."""
    out = tmp_path_factory.mktemp("wheel")
    offline = ["--no-build-isolation"] if build_backend_here() else []
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", *offline, "-q", "-w", str(out)]
        + [str(ROOT)],
        check=True,
    )
    return next(out.glob("moderation-*.whl"))


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A plain venv with the wheel and its dependencies installed from a local wheel cache
    packed from this environment (no index, no system site-packages)."""
    cache = tmp_path_factory.mktemp("wheels")
    build_cache(wheel, cache)
    folder = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    python = folder / "bin" / "python"
    # PYTHONPATH off: a source tree on it (with the egg-info a build leaves) would look
    # installed already
    env = {**os.environ, "PYTHONPATH": "", "PIP_NO_INDEX": "1"}
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-index", "--find-links", str(cache)]
        + [str(wheel)],
        check=True,
        env=env,
    )
    return folder


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    """Poll /healthz until the server answers (or fail with what it printed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited {process.returncode}: {log.read_text('utf-8')}")
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.2)
    pytest.fail("server did not answer /healthz")


@pytest.fixture(scope="module")
def served(venv, tmp_path_factory):
    """`moderation serve` run from an empty folder with no config anywhere."""
    empty = tmp_path_factory.mktemp("empty")
    data_home = tmp_path_factory.mktemp("xdg")
    env = {k: v for k, v in os.environ.items() if k != "MODERATION_CONFIG"}
    env.update(XDG_DATA_HOME=str(data_home), PYTHONPATH="")
    port = free_port()
    log = tmp_path_factory.mktemp("log") / "serve.log"
    with open(log, "w", encoding="utf-8") as output:
        process = subprocess.Popen(
            [str(venv / "bin" / "moderation"), "serve", "--port", str(port)],
            cwd=empty,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, log)
        yield {"url": url, "data": data_home / "moderation", "empty": empty, "log": log}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def test_wheel_ships_templates_static_and_default_config(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "moderation/_bundled/config.toml" in names
    assert "moderation/_bundled/templates/base.html" in names
    assert "moderation/_bundled/templates/auth/login.html" in names
    assert "moderation/_bundled/static/dashboard.css" in names


def test_the_venv_sees_nothing_of_the_base_interpreter(venv):
    """The venv is plain: its packages are the wheel and what the cache gave it."""
    probe = (
        "import sys; print([p for p in sys.path if 'site-packages' in p"
        " and p.startswith(sys.base_prefix)])"
    )
    config = (venv / "pyvenv.cfg").read_text(encoding="utf-8")
    assert "include-system-site-packages = false" in config
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"  # no site-packages of the base interpreter


def test_wheel_version_answers(venv):
    result = subprocess.run(
        [str(venv / "bin" / "moderation"), "--version"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert result.returncode == 0
    assert result.stdout.strip() == "moderation 0.1.0"


def logged_in(served) -> requests.Session:
    """A session logged in as the first-start admin (password from the data folder)."""
    password_file = served["data"] / "var" / "initial-admin-password"
    password = password_file.read_text(encoding="utf-8").strip()
    session = requests.Session()
    form = session.get(f"{served['url']}/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = session.post(
        f"{served['url']}/login",
        data={"name": "admin", "password": password, "csrf_token": token, "next": ""},
        timeout=10,
    )
    assert response.status_code == 200 and "退出" in response.text
    return session


def test_wheel_serves_from_empty_folder_on_user_data(served):
    assert list(served["empty"].iterdir()) == []  # nothing written into the working folder
    assert (served["data"] / "var" / "moderation.db").is_file()
    said = served["log"].read_text(encoding="utf-8")
    assert f"packaged default config with data in {served['data']}" in said


@pytest.mark.parametrize(
    "path, text",
    [
        ("/", "待审"),
        ("/search?q=雪", "搜索"),
        ("/stories", "稿件"),
        ("/overview", "概览"),
        ("/editions/", "专栏"),
        ("/ranking/", "点击排行"),
        ("/channels", "采集渠道"),
        ("/admin/users", "用户"),
        ("/admin/words", "词表"),
        ("/static/dashboard.css", "--"),
        ("/no-such-page", "页面不存在"),
    ],
)
def test_wheel_renders_each_page_kind(served, path, text):
    session = logged_in(served)
    response = session.get(served["url"] + path, timeout=30)
    assert response.status_code == (404 if path == "/no-such-page" else 200)
    assert text in response.text
