"""The desk's leftovers (issue 27 item 11): Chinese 400 details, the scheduler in words, a
favicon, accounts made on the command line in the account changes, a failed login that keeps
the name, `push --status` with no pushing channel."""

from __future__ import annotations

from click.testing import CliRunner

from moderation.cli import main
from moderation.storage import users
from moderation.web.channels import holder_words
from tests.helpers import PASSWORD


def test_a_400_never_shows_english_detail(client, auth):
    auth.login("moderator")
    response = client.post("/comments/bulk", data={"action": "explode"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "请求有误" in page and "未知的操作" in page
    response = client.post("/batches/undo", data={"after": "x"})
    assert "撤销的范围不对" in response.get_data(as_text=True)
    response = client.get("/ranking/?from=yesterday")
    assert response.status_code in (400, 403)
    assert "The browser" not in response.get_data(as_text=True)


def test_scheduler_is_named_in_words():
    assert holder_words("vm:10831:9f8e7d6c") == "服务器 vm 上的进程 10831"


def test_favicon_is_served_without_login(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.headers["Location"].endswith("favicon.svg")
    assert client.get(response.headers["Location"]).status_code == 200
    assert 'rel="icon"' in client.get("/login").get_data(as_text=True)


def test_accounts_created_on_the_command_line_are_in_the_account_changes(
    config_file, client, login, db
):
    result = CliRunner().invoke(
        main,
        ["--config", str(config_file), "user", "add", "lin", "--role", "editor"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    login("admin")
    client.post("/admin/users", data={"name": "zhao", "role": "moderator", "password": PASSWORD})
    page = client.get("/admin/users").get_data(as_text=True)
    events = page.split("账户变更记录", 1)[1]
    assert "lin" in events and "命令行" in events and "创建账户，角色：编辑" in events
    assert "zhao" in events and "创建账户，角色：审核员" in events


def test_failed_login_keeps_the_name_and_shows_an_error(client, db):
    users.add_user(db, "mod", "moderator", PASSWORD)
    page = client.post("/login", data={"name": "mod", "password": "nope"}).get_data(as_text=True)
    assert 'class="flash flash-error"' in page and "用户名或密码错误" in page
    assert 'name="name" autocomplete="username" required value="mod"' in page


def test_push_status_says_so_when_no_channel_pushes(config_file):
    result = CliRunner().invoke(main, ["--config", str(config_file), "push", "--status"])
    assert result.exit_code == 0
    assert "no channel pushes decisions back" in result.output
