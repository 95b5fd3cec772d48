"""Alerts in the dashboard: the bell, the list of alerts with their deliveries, and the
admin page where alert rules are written, imported and exported as TOML."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from moderation.alerts import conditions
from moderation.alerts.config import build_targets
from moderation.alerts.param_names import in_words, param_name
from moderation.alerts.rules_toml import check_rule, dump_rules, load_rules
from moderation.roles import ADMIN, EDITOR
from moderation.storage import alerts as store
from moderation.timeutil import now_iso
from moderation.web.auth import current_actor, role_required
from moderation.web.context import get_db
from moderation.web.toml_files import toml_response, uploaded_toml

bp = Blueprint("alerts", __name__)
MAX_TOML_BYTES = 256 * 1024


def configured_targets() -> dict:
    """The targets config.toml defines (checked at start, so this cannot fail here)."""
    return build_targets(current_app.config["SETTINGS"].alerts.targets)


@bp.app_context_processor
def bell() -> dict:
    """The bell's number on every page: alerts fired since the user last looked."""
    if g.get("user") is None or g.get("plain_page"):  # error pages skip the database
        return {"unread_alerts": 0}
    return {"unread_alerts": store.unread_count(get_db(), g.user["name"])}


@bp.get("/alerts")
@role_required(EDITOR)
def index():
    """Recent alerts, newest first, with where each was sent and how that went."""
    db = get_db()
    before = request.args.get("before", type=int)
    alerts = store.recent_alerts(db, limit=50, before_id=before)
    store.mark_read(db, g.user["name"])
    return render_template("alerts/index.html", alerts=alerts, kinds=conditions.KINDS)


@bp.post("/alerts/deliveries/<int:delivery_id>/retry")
@role_required(EDITOR)
def retry(delivery_id: int):
    """Send a failed delivery again (after its target's settings were fixed)."""
    store.retry_delivery(get_db(), delivery_id, now_iso())
    flash("已重新排队发送，将在一分钟内推送。")
    return redirect(url_for("alerts.index"))


@bp.get("/admin/alerts")
@role_required(ADMIN)
def rules():
    """Every alert rule with its params, and a form for a new one (?edit=ID fills it with
    that rule)."""
    editing = request.args.get("edit", type=int)
    rule = store.get_rule(get_db(), editing) if editing else None
    return render_template(
        "alerts/rules.html",
        rules=store.list_rules(get_db()),
        kinds=conditions.KINDS,
        defaults=conditions.DEFAULT_PARAMS,
        targets=sorted(configured_targets()),
        param_name=param_name,
        editing=rule,
    )


@bp.post("/admin/alerts")
@role_required(ADMIN)
def save():
    """Create or change one rule from the form; errors say what to fix, in Chinese."""
    form = request.form
    table = {
        "name": form.get("name", ""),
        "kind": form.get("kind", ""),
        "enabled": form.get("enabled") == "1",
        "targets": form.getlist("targets"),
        "params": _params_from_form(form.get("kind", ""), form),
    }
    try:
        rule = check_rule(table, configured_targets())
    except ValueError as error:
        flash(f"未保存：{in_words(table['kind'], str(error))}", "error")
        return redirect(url_for("alerts.rules"))
    store.save_rule(get_db(), rule, current_actor())
    flash(f"已保存规则“{rule['name']}”。")
    return redirect(url_for("alerts.rules"))


def _params_from_form(kind: str, form) -> dict:
    params = {}
    for key in conditions.DEFAULT_PARAMS.get(kind, {}):
        raw = form.get(f"param_{key}", "").strip()
        if not raw:
            continue
        if key == "words":
            params[key] = [word for word in raw.replace("，", ",").split(",") if word.strip()]
            continue
        try:
            params[key] = float(raw) if "." in raw else int(raw)
        except ValueError:
            params[key] = raw  # validate_params says which key is not a number
    return params


@bp.get("/admin/alerts/rules.toml")
@role_required(ADMIN)
def export_rules():
    """Every rule as TOML, to keep in version control or copy to another desk."""
    return toml_response(dump_rules(store.list_rules(get_db())), "alert-rules.toml")


@bp.post("/admin/alerts/import")
@role_required(ADMIN)
def import_rules():
    """Create or update rules from an uploaded TOML file: all of them, or none."""
    try:
        rules = load_rules(uploaded_toml(MAX_TOML_BYTES), configured_targets())
    except ValueError as error:
        flash(f"未导入：{error}", "error")
        return redirect(url_for("alerts.rules"))
    db = get_db()
    with db.atomic():
        for rule in rules:
            store.save_rule(db, rule, current_actor())
    flash(f"已导入 {len(rules)} 条规则。")
    return redirect(url_for("alerts.rules"))
