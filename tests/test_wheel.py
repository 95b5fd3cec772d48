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


def test_wheel_renders_reports_and_an_export_in_an_empty_folder(venv, tmp_path):
    """From the installed wheel, in an empty folder on the packaged default: the demo week's
    daily and weekly 舆情 reports (A4, East Asian fonts, page numbers, the chart, channel
    labels) and the click ranking export, all templates found through `resources`."""
    import docx
    from docx.oxml.ns import qn

    folder, out = tmp_path / "empty", tmp_path / "out"
    folder.mkdir()
    out.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "MODERATION_CONFIG"}
    env.update(XDG_DATA_HOME=str(tmp_path / "xdg"), PYTHONPATH="")
    command = str(venv / "bin" / "moderation")

    def run(*args):
        result = subprocess.run(
            [command, *args], cwd=folder, env=env, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, result.stderr
        return result

    run("collect", "demo")
    for kind in ("--daily", "--weekly"):
        run("report", kind, "--date", "2024-01-25", "-o", str(out))
    run("ranking", "--from", "2024-01-19", "--to", "2024-01-25", "--format", "docx",
        "-o", str(out / "ranking.docx"))  # fmt: skip
    assert list(folder.iterdir()) == []
    for stem in ("舆情日报-2024-01-25", "舆情周报-2024-01-25"):
        html = (out / f"{stem}.html").read_text(encoding="utf-8")
        assert "舆情概述" in html and "<svg" in html
        assert "演示数据（样例页面评论）" in html  # the packaged config's channel label
        document = docx.Document(str(out / f"{stem}.docx"))
        section = document.sections[0]
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
        assert 'w:instr="PAGE"' in section.footer.paragraphs[0]._p.xml
        assert len(document.inline_shapes) == 1
        fonts = {
            run.element.rPr.rFonts.get(qn("w:eastAsia"))
            for paragraph in document.paragraphs
            for run in paragraph.runs
            if run.text
        }
        assert fonts == {"宋体", "黑体"}
        text = "\n".join(cell.text for table in document.tables for row in table.rows
                         for cell in row.cells)  # fmt: skip
        assert "演示数据（样例页面评论）" in text and "\ndemo\n" not in text
    ranking = docx.Document(str(out / "ranking.docx"))
    assert "点击排行" in ranking.paragraphs[0].text


def test_wheel_serves_alert_and_report_pages_and_a_report_inline(served):
    """The alert, report and metrics pages from the wheel, and a report generated there
    that opens in the browser (templates found through `resources` in the wheel)."""
    session = logged_in(served)
    for path, text in (("/alerts", "预警"), ("/admin/alerts", "预警规则"), ("/metrics", "待审")):
        response = session.get(served["url"] + path, timeout=30)
        assert response.status_code == 200 and text in response.text
    page = session.get(served["url"] + "/reports", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    made = session.post(
        served["url"] + "/reports",
        data={"kind": "weekly", "date": "2024-01-25", "csrf_token": token},
        timeout=120,
    )
    assert made.status_code == 200 and "报告已生成并存档" in made.text
    report_id = re.search(r'id="report-(\d+)"', made.text).group(1)
    html = session.get(f"{served['url']}/reports/{report_id}.html", timeout=30)
    assert html.headers["Content-Disposition"].startswith("inline")
    assert "舆情概述" in html.text and "<svg" in html.text
