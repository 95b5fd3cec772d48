"""Moderation rules in the dashboard: admins fill in a form (every condition and action with
its Chinese label; TOML stays for power users), dry-run ("试运行"), save, order, switch off,
delete, import and export the rule set as TOML."""

from __future__ import annotations

from dataclasses import replace

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from moderation.roles import ADMIN
from moderation.rules import form as rule_form
from moderation.rules.engine import check_providers, check_rule
from moderation.rules.model import ACTIONS, CONDITIONS, LEVELS, RuleError
from moderation.rules.toml_io import rule_from_toml, rule_to_toml, rules_from_toml, rules_to_toml
from moderation.states import FLAG_NAMES
from moderation.storage import authors, rule_apply
from moderation.storage import rules as rule_store
from moderation.web.auth import current_actor, role_required
from moderation.web.context import get_db
from moderation.web.templating import channel_labels
from moderation.web.toml_files import toml_response

bp = Blueprint("rules", __name__, url_prefix="/admin/rules")
DRY_RUN_DEFAULT = 500
DRY_RUN_MAX = 5000
MAX_TOML = 100_000
EXAMPLE = """name = "新用户含链接"
action = "hold"
queue = "新用户"
why = "新读者贴链接多为广告，先放进单独的队列"
[when]
author_levels = ["new"]
has_link = true
"""


def choices() -> dict[str, dict[str, str]]:
    """Every choice list the rule form offers: flags, channels (by label), reasons, levels."""
    return {
        **rule_form.static_choices(),
        "flags": FLAG_NAMES,
        "channels": channel_labels(current_app.config["SETTINGS"]),
        "reasons": rule_store.reason_codes(get_db()),
    }


def _page(
    source: str = EXAMPLE,
    rule_id: int | None = None,
    position=None,
    report=None,
    error=None,
    values=None,
):
    db = get_db()
    lists = choices()
    rules = rule_store.list_rules(db)
    if values is None:
        values = {}
        if source != EXAMPLE:
            try:
                values = rule_form.form_values(rule_from_toml(source))
            except RuleError:
                pass  # TOML the form cannot show: the TOML box keeps it, with the error
    return render_template(
        "admin/rules.html",
        rules=rules,
        described={rule.id: rule_form.describe(rule, lists) for rule in rules},
        source=source,
        rule_id=rule_id,
        position=position,
        report=report,
        error=error,
        values=values,
        fields=rule_form.condition_fields(),
        action_fields=rule_form.ACTION_FIELDS,
        choices=lists,
        conditions=CONDITIONS,
        actions=ACTIONS,
        levels=LEVELS,
        reasons=lists["reasons"],
        held=rule_apply.held_queues(db),
        limit=request.form.get("limit", DRY_RUN_DEFAULT, type=int),
        toml_open=_from_toml(),
    ), (400 if error else 200)


@bp.get("")
@role_required(ADMIN)
def index():
    """The rule set in order, and the editor (a rule to edit with ?edit=ID)."""
    rule_id = request.args.get("edit", type=int)
    rule = rule_store.get_rule(get_db(), rule_id) if rule_id else None
    if rule is None:
        return _page()
    return _page(rule_to_toml(rule, table=""), rule.id, rule.position)


def _editor() -> tuple[str, int | None, int | None]:
    """The editor's TOML text, the id of the rule being edited and the position asked for."""
    return (
        request.form.get("source", "")[:MAX_TOML],
        request.form.get("rule_id", type=int),
        request.form.get("position", type=int),
    )


def _from_toml() -> bool:
    """Whether the rule came from the TOML box (power users, scripts) rather than the form."""
    return (request.form.get("editor") or ("toml" if "source" in request.form else "")) == "toml"


def _submitted_rule(source: str):
    """The rule as submitted: from the form's fields, or from the TOML box (power users)."""
    if _from_toml():
        return rule_from_toml(source)
    return rule_form.rule_from_form(request.form)


def _check_providers(rules) -> None:
    """The providers the rules ask are the ones this install's config.toml configures."""
    configured = current_app.config["SETTINGS"].second_opinion.provider_settings()
    check_providers(rules, configured)


def _again(source, rule_id, position, **extra):
    """The page again with what was submitted (form fields or TOML) kept."""
    values = None if _from_toml() else rule_form.submitted_values(request.form)
    return _page(source, rule_id, position, values=values, **extra)


@bp.post("/dry-run")
@role_required(ADMIN)
def dry_run():
    """How the rule set with this rule in place would decide the last N comments (nothing
    is saved)."""
    source, rule_id, position = _editor()
    try:
        rule = check_rule(_submitted_rule(source), rule_store.reason_codes(get_db()))
        _check_providers([rule])
    except RuleError as error:
        return _again(source, rule_id, position, error=str(error))
    limit = min(max(request.form.get("limit", DRY_RUN_DEFAULT, type=int) or 1, 1), DRY_RUN_MAX)
    current = rule_store.get_rule(get_db(), rule_id) if rule_id else None
    at = position or (current.position if current else 0)
    thresholds = authors.thresholds_from(current_app.config["SETTINGS"].authors)
    report = rule_apply.dry_run(get_db(), replace(rule, id=rule_id, position=at), limit, thresholds)
    return _again(source, rule_id, position, report=report)


@bp.post("")
@role_required(ADMIN)
def save():
    """Save the editor's rule: a new one at its position, or the edited one in its place."""
    source, rule_id, position = _editor()
    db = get_db()
    try:
        rule = _submitted_rule(source)
        _check_providers([rule])
        if rule_id:
            rule_store.update_rule(db, rule_id, rule, current_actor())
        else:
            rule_id = rule_store.add_rule(db, rule, current_actor(), position)
    except RuleError as error:
        return _again(source, rule_id, position, error=str(error))
    flash(f"规则 {rule_id}“{rule.name}”已保存，从下一批评分起生效。")
    return redirect(url_for("rules.index"))


@bp.post("/<int:rule_id>/<any(up, down):direction>")
@role_required(ADMIN)
def move(rule_id: int, direction: str):
    """Move a rule one place up or down."""
    try:
        rule_store.move_rule(get_db(), rule_id, -1 if direction == "up" else 1)
    except RuleError:
        abort(404)
    return redirect(url_for("rules.index"))


@bp.post("/<int:rule_id>/<any(enable, disable):change>")
@role_required(ADMIN)
def switch(rule_id: int, change: str):
    """Switch a rule on or off."""
    rule_store.set_enabled(get_db(), rule_id, change == "enable")
    flash(f"规则 {rule_id} 已{'启用' if change == 'enable' else '停用'}。")
    return redirect(url_for("rules.index"))


@bp.post("/<int:rule_id>/delete")
@role_required(ADMIN)
def delete(rule_id: int):
    """Delete a rule (the decisions it made keep its name)."""
    if not rule_store.delete_rule(get_db(), rule_id):
        abort(404)
    flash(f"规则 {rule_id} 已删除。")
    return redirect(url_for("rules.index"))


@bp.get("/export.toml")
@role_required(ADMIN)
def export():
    """Download the rule set as TOML."""
    return toml_response(rules_to_toml(rule_store.list_rules(get_db())), "rules.toml")


@bp.post("/import")
@role_required(ADMIN)
def import_rules():
    """Replace the rule set with a TOML file's rules (all checked first: all or none)."""
    upload = request.files.get("file")
    raw = upload.read(MAX_TOML + 1) if upload else request.form.get("toml", "").encode("utf-8")
    try:
        if len(raw) > MAX_TOML:
            raise RuleError(f"文件太大（上限 {MAX_TOML // 1000} KB）")
        rules = rules_from_toml(raw.decode("utf-8"))
        _check_providers(rules)
        count = rule_store.replace_rules(get_db(), rules, current_actor())
    except UnicodeDecodeError:
        flash("导入失败：文件不是 UTF-8 编码，请另存为 UTF-8 后重试。")
    except RuleError as error:
        flash(f"导入失败，规则未改动：{error}")
    else:
        flash(f"已导入 {count} 条规则，替换了原有规则。")
    return redirect(url_for("rules.index"))


@bp.app_context_processor
def rule_queues():
    """`held_queues()`: the named queues rules hold pending comments in, with their sizes."""
    return {"held_queues": lambda: rule_apply.held_queues(get_db())}
