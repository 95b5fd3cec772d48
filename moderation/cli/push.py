"""The `moderation push` command: deliver the outbox by hand, or show its state."""

from __future__ import annotations

import click


@click.command("push")
@click.argument("channel", required=False)
@click.option("--status", "show_status", is_flag=True, help="Show each channel's outbox only.")
@click.option("--limit", type=click.IntRange(1), default=1000, help="Rows to send at most.")
@click.option(
    "--check",
    "check_channel",
    metavar="CHANNEL",
    help="Check a channel's setup with a harmless read: WeChat whether it may use the comment "
    "API, Weibo and the site whether they answer and the push secret is set.",
)
@click.pass_obj
def push_command(
    obj, channel: str | None, show_status: bool, limit: int, check_channel: str | None
) -> None:
    """Send decisions' actions waiting in the outbox to the channels (or show --status)."""
    from moderation.sending import push_outbox
    from moderation.settings import SettingsError
    from moderation.storage import outbox

    settings = obj.settings
    for name in (channel, check_channel):
        if name:
            try:
                settings.channel(name)
            except SettingsError as error:
                raise click.UsageError(str(error)) from None
    db = obj.db()
    if check_channel:
        try:
            allowed = check_line(db, settings, check_channel)
        finally:
            db.close()
        raise SystemExit(0 if allowed else 1)
    try:
        if not show_status:
            report = push_outbox.deliver(db, settings, channel=channel, limit=limit)
            for name, counts in sorted(report.counts.items()):
                summary = ", ".join(f"{what} {count}" for what, count in sorted(counts.items()))
                click.echo(f"{name}: {summary}")
            for name, why in sorted(report.stopped.items()):
                click.echo(f"{name}: stopped: {why}")
            if not report.counts:
                click.echo("nothing due")
        for line in status_lines(outbox.status(db), outbox.policies(db), channel):
            click.echo(line)
    finally:
        db.close()


def check_line(db, settings, name: str) -> bool:
    """Print one line: may the channel's account be used as configured, and what it will do."""
    from moderation.push import read_check, wechat
    from moderation.push.actions import push_options
    from moderation.storage import outbox

    channel = settings.channel(name)
    push = push_options(channel)
    if channel.type == "wechat":
        allowed, why = wechat.check(channel, channel.options, outbox.latest_story(db, name))
    elif channel.type in ("jsonfeed", "weibo"):
        allowed, why = read_check.check(channel, push)
    else:
        raise click.UsageError(
            f"--check: {name} is a {channel.type} channel, which nothing is pushed to; "
            "it checks wechat, jsonfeed and weibo channels"
        )
    label = f"{name}（{channel.label}）" if channel.label else name
    can = abilities(push, channel.type) if allowed else ""
    click.echo(f"{label}：{why}" + (f"；{can}" if can else ""))
    return allowed


def abilities(push, channel_type: str) -> str:
    """What the channel will do, in Chinese, from its push keys."""
    from moderation.push.actions import LABELS, NONE, REPLY

    if push.push == "off":
        return '推送已关闭（push = "off"），不会发送任何操作'
    parts = []
    for verb, action in (("通过", push.approve_action(channel_type)),
                         ("拒绝", push.reject_action(channel_type))):  # fmt: skip
        parts.append(f"{verb}→{LABELS.get(action, '不推送') if action != NONE else '不推送'}")
    supported = push.supported(channel_type)
    if REPLY in supported:
        parts.append("官方回复" + ("（须总编签发）" if push.replies_need_sign_off else ""))
    if "open_comments" in supported:
        parts.append("打开/关闭评论")
    mode = "演练（只记录不发送）" if push.push == "dry_run" else "推送已开启"
    return f"{mode}：" + "，".join(parts)


def status_lines(rows: list[dict], policies: list[dict], only: str | None) -> list[str]:
    """One line per channel: mode, backlog, failures, dry runs, last success (Beijing)."""
    from moderation.timeutil import local_time

    by_channel = {row["channel"]: row for row in rows}
    lines = []
    for policy in policies:
        name = policy["channel"]
        if only and name != only:
            continue
        row = by_channel.get(name, {})
        mode = policy["mode"] if policy.get("enabled", 1) else f"{policy['mode']}, disabled"
        line = (
            f"{name} [{mode}]: backlog {row.get('backlog') or 0}, "
            f"failed {row.get('failed') or 0}, dry-run {row.get('dry_run') or 0}, "
            f"last success {local_time(row.get('last_success')) or 'never'}"
        )
        if row.get("held"):
            line += f"; 已暂停 {row['held']} (push off or channel disabled: nothing is sent)"
        if row.get("waiting_because"):
            line += f"; waiting: {row['waiting_because']}"
        lines.append(line)
    if not lines:  # say so rather than print nothing
        where = f"channel {only} does not push" if only else "no channel pushes"
        lines.append(
            f'{where} decisions back: set push = "dry_run" or "on" in its [[channels]] '
            "table (wechat, weibo or jsonfeed) to turn it on"
        )
    return lines
