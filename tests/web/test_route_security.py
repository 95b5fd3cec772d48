"""Every mutating route, found in app.url_map: refused without login, without a CSRF token,
and for a role below the one its view declares with role_required."""

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from moderation import create_app
from moderation.roles import ROLES
from tests.web.conftest import QuickLogin

UNGUARDED = {"auth.login", "auth.logout", "auth.password"}  # public; any logged-in user
# Signed by the site (HMAC over the body) instead of a session and a CSRF token; its own
# refusals are tested in tests/duties/test_intake.py.
SIGNED = {"intake.receive"}


def post_routes(app) -> list[tuple[str, str]]:
    """(endpoint, concrete URL) of every rule that accepts POST, once per `any(...)` option."""
    routes = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        choices = [{}]
        for name, converter in rule._converters.items():
            if isinstance(converter, AnyConverter):
                options = sorted(converter.items)
            else:
                options = [1 if isinstance(converter, IntegerConverter) else "x"]
            choices = [{**values, name: option} for values in choices for option in options]
        if rule.endpoint not in SIGNED:
            routes.extend((rule.endpoint, rule.build(values)[1]) for values in choices)
    return sorted(routes)


def role_below(required: str) -> str:
    """A role that lacks `required` (an unknown role under the lowest one)."""
    index = ROLES.index(required)
    return ROLES[index - 1] if index else "reader"


@pytest.fixture
def csrf_app(settings, db):
    """The app with real CSRF protection, as in production."""
    return create_app(settings, TESTING=True, SECRET_KEY="test")


def test_every_post_view_declares_a_role(app):
    routes = post_routes(app)
    assert len(routes) >= 10
    for endpoint, _ in routes:
        view = app.view_functions[endpoint]
        if endpoint not in UNGUARDED:
            assert getattr(view, "required_role", None) in ROLES, f"{endpoint} has no role"


def test_post_routes_refuse_anonymous(app, client):
    for endpoint, url in post_routes(app):
        if endpoint == "auth.login":
            continue
        assert client.post(url).status_code in (302, 401), url


def test_post_routes_refuse_missing_csrf_token(csrf_app, db):
    client = csrf_app.test_client()
    QuickLogin(client, db)("admin")
    for _endpoint, url in post_routes(csrf_app):
        response = client.post(url, data={"action": "approve", "ids": "1", "label": "1"})
        assert response.status_code == 400, url
        assert "CSRF" in response.get_data(as_text=True), url


def test_post_routes_refuse_roles_below_required(app, client, db):
    login = QuickLogin(client, db)
    checked = 0
    for endpoint, url in post_routes(app):
        required = getattr(app.view_functions[endpoint], "required_role", None)
        if required is None:
            continue
        login(role_below(required), name=f"low-{required}")
        assert client.post(url).status_code == 403, (url, required)
        checked += 1
    assert checked >= 8
