"""The OpenAPI schema (/api/schema/) and Swagger UI (/api/docs/): signed-in users only, served
offline from our own static files, and compatible with our Content-Security-Policy."""

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from interactions.models import Interaction

pytestmark = pytest.mark.django_db

SCHEMA = "/api/schema/"
DOCS = "/api/docs/"
CHECKPOINT_PATHS = {
    "/api/v1/checkpoints/",
    "/api/v1/checkpoints/{id}/",
    "/api/v1/checkpoints/{id}/duplicate/",
    "/api/v1/checkpoints/bulk-delete/",
}


class AssetParser(HTMLParser):
    """Collects the page's scripts (src or inline text), stylesheets and icons."""

    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self.links: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append({"src": attrs.get("src"), "nonce": attrs.get("nonce"), "text": ""})
            self._in_script = True
        elif tag == "link" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1]["text"] += data


def parse(html: str) -> AssetParser:
    parser = AssetParser()
    parser.feed(html)
    return parser


@pytest.fixture
def signed_in(user_factory):
    client = APIClient()
    client.force_login(user_factory("reader-of-docs"))
    return client


@pytest.mark.parametrize("url", [SCHEMA, f"{SCHEMA}?format=json"])
def test_schema_needs_a_signed_in_user(db, url):
    response = APIClient().get(url)
    assert response.status_code == 401
    assert b"paths" not in response.content


@pytest.mark.parametrize("url", [DOCS, f"{DOCS}?script="])
def test_docs_page_sends_anonymous_visitors_to_the_login_page(db, url):
    response = APIClient().get(url)
    assert response.status_code == 302
    assert response.url.startswith("/login/?next=")
    assert b"SwaggerUIBundle" not in response.content


def test_docs_page_has_no_inline_style(signed_in):
    html = signed_in.get(DOCS).content.decode()
    assert "<style" not in html
    assert "maker/api_docs.css" in html


def test_any_signed_in_user_reads_the_schema(signed_in):
    response = signed_in.get(SCHEMA, {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert set(schema["paths"]) >= CHECKPOINT_PATHS
    assert "/api/schema/" not in schema["paths"]


def test_token_clients_read_the_schema(user_factory):
    token = Token.objects.create(user=user_factory("runtime"))
    response = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}").get(SCHEMA)
    assert response.status_code == 200
    assert b"/api/v1/checkpoints/bulk-delete/" in response.content


def test_schema_documents_the_checkpoint_contract(signed_in):
    schema = json.loads(signed_in.get(SCHEMA, {"format": "json"}).content)
    paths = schema["paths"]
    listing = paths["/api/v1/checkpoints/"]["get"]
    assert {parameter["name"] for parameter in listing["parameters"]} >= {"search", "page"}
    page = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page_schema = schema["components"]["schemas"][page.rsplit("/", 1)[1]]
    assert {"count", "next", "previous", "results"} <= set(page_schema["properties"])
    assert "201" in paths["/api/v1/checkpoints/"]["post"]["responses"]
    assert "204" in paths["/api/v1/checkpoints/{id}/"]["delete"]["responses"]
    assert "201" in paths["/api/v1/checkpoints/{id}/duplicate/"]["post"]["responses"]
    assert "200" in paths["/api/v1/checkpoints/bulk-delete/"]["post"]["responses"]
    checkpoint = schema["components"]["schemas"]["Checkpoint"]
    assert set(checkpoint["properties"]) == {
        "id",
        "name",
        "reference",
        "alias",
        "created_at",
        "updated_at",
        "url",
    }
    assert set(checkpoint["required"]) >= {"name", "reference"}
    assert "alias" not in checkpoint["required"]
    assert checkpoint["properties"]["url"]["format"] == "uri"
    auth = set(schema["components"]["securitySchemes"])
    assert {"tokenAuth", "cookieAuth"} <= auth


def test_schema_generates_without_warnings(tmp_path):
    """Same as ``manage.py spectacular --validate --fail-on-warn``: a warning fails it."""
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/v1/checkpoints/bulk-delete/" in target.read_text()


def test_swagger_ui_is_served_offline_from_our_static_files(signed_in):
    response = signed_in.get(DOCS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Checkpoint Maker API</title>" in html
    # No asset (or anything else) from another host: the product works offline.
    assert not re.search(r"https?://", html)
    assert "//" not in " ".join(parse(html).links)

    page = parse(html)
    sidecar = [
        url
        for url in [script["src"] for script in page.scripts if script["src"]] + page.links
        if "drf_spectacular_sidecar" in url
    ]
    names = {url.rsplit("/", 1)[1] for url in sidecar}
    assert {"swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"} <= names
    for url in sidecar:
        assert url.startswith("/static/drf_spectacular_sidecar/"), url
        path = url.removeprefix("/static/")
        assert finders.find(path), f"{path} is not among our static files"
        served = signed_in.get(url)
        assert served.status_code == 200, url
        served.close()


def test_swagger_ui_runs_under_our_content_security_policy(signed_in):
    """script-src is 'self' (+ nonce): every script is a same-origin file, none is inline."""
    response = signed_in.get(DOCS)
    policy = response["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    assert "'self'" in directives["script-src"].split()
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]

    scripts = parse(response.content.decode()).scripts
    assert scripts
    for script in scripts:
        assert script["src"], "an inline script would be blocked by the policy"
        assert not script["text"].strip()
        assert not urlsplit(script["src"]).netloc, "scripts come from this site"

    # The split view serves its init script as a separate same-origin file.
    init_urls = [script["src"] for script in scripts if script["src"].startswith(DOCS)]
    assert init_urls == [f"{DOCS}?script="]
    init = signed_in.get(init_urls[0])
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    body = init.content.decode()
    assert "SwaggerUIBundle(" in body
    assert '"/api/schema/"' in body
    assert not re.search(r"https?://", body)


# The schema states the rules the code enforces (issue 7): schemathesis (scripts/fuzz-api)
# checks every answer against it.

LIST_PATHS = ["/api/v1/checkpoints/", "/api/v1/interactions/", "/api/v1/routings/"]


@pytest.fixture
def schema(signed_in):
    return json.loads(signed_in.get(SCHEMA, {"format": "json"}).content)


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def body_schema(schema: dict, response: dict) -> dict:
    return resolve(schema, response["content"]["application/json"]["schema"])


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


@pytest.mark.parametrize("path", LIST_PATHS)
def test_schema_states_the_page_rules(schema, path):
    listing = schema["paths"][path]["get"]
    parameters = {parameter["name"]: parameter["schema"] for parameter in listing["parameters"]}
    assert parameters["page"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 200}
    page = body_schema(schema, listing["responses"]["200"])
    assert set(page["required"]) == {"count", "next", "previous", "results"}
    # A page after the last one: DRF's 404 {"detail": "Invalid page."}.
    assert "Invalid page." in listing["responses"]["404"]["description"]
    assert body_schema(schema, listing["responses"]["404"])["required"] == ["detail"]


@pytest.mark.parametrize("path", LIST_PATHS)
def test_the_page_rules_are_the_code_s(django_user_model, path):
    client = APIClient()
    client.force_login(django_user_model.objects.create_superuser("pages", password=None))
    after_the_last = client.get(path, {"page": 99})
    assert after_the_last.status_code == 404
    assert after_the_last.json() == {"detail": "Invalid page."}
    response = client.get(path, {"page": 0, "page_size": 0})
    assert response.status_code == 400
    assert set(response.json()) == {"page", "page_size"}


def test_schema_states_error_bodies_in_drf_s_shapes(schema):
    detail = schema["components"]["schemas"]["ErrorDetail"]
    assert detail["properties"]["detail"]["type"] == "string"
    assert detail["required"] == ["detail"]
    invalid = schema["components"]["schemas"]["ValidationError"]
    messages = {"type": "array", "items": {"type": "string"}}
    assert invalid["type"] == "object"
    assert messages in invalid["additionalProperties"]["anyOf"]
    checked = 0
    for path, method, operation in operations(schema):
        for code, response in operation["responses"].items():
            if code in {"401", "403", "404"}:
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorDetail"), (method, path, code)
                checked += 1
            elif code == "400":
                ref = response["content"]["application/json"]["schema"]["$ref"]
                # An import's 400 is its rows in error or, for a bad body, DRF's shape.
                refs = [ref] + [
                    one["$ref"] for one in resolve(schema, {"$ref": ref}).get("oneOf", [])
                ]
                assert any(r.endswith("/ValidationError") for r in refs), (method, path, code)
                checked += 1
    assert checked > 40


def test_schema_states_the_range_of_path_ids(schema):
    ids = [
        (path, method, parameter["schema"])
        for path, method, operation in operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path"
    ]
    assert len(ids) >= 12
    for path, method, parameter in ids:
        assert parameter["type"] == "integer", (method, path)
        assert (parameter["minimum"], parameter["maximum"]) == (1, 2**63 - 1), (method, path)


def test_schema_states_the_checkpoint_field_rules(schema):
    checkpoint = schema["components"]["schemas"]["Checkpoint"]["properties"]
    assert (checkpoint["name"]["minLength"], checkpoint["name"]["maxLength"]) == (1, 100)
    assert checkpoint["reference"]["maxLength"] == 64
    assert checkpoint["reference"]["pattern"] == "^[A-Za-z0-9_+.@-]+$"
    assert checkpoint["alias"]["maxLength"] == 32


def test_schema_states_the_bulk_delete_ids_rules(schema):
    from checkpoints.api.serializers import BulkDeleteSerializer

    operation = schema["paths"]["/api/v1/checkpoints/bulk-delete/"]["post"]
    body = resolve(schema, operation["requestBody"]["content"]["application/json"]["schema"])
    ids = body["properties"]["ids"]
    assert ids["minItems"] == 1
    assert ids["maxItems"] == BulkDeleteSerializer().fields["ids"].max_length == 1000
    assert (ids["items"]["minimum"], ids["items"]["maximum"]) == (1, 2**63 - 1)
    assert body["required"] == ["ids"]
    assert body["properties"]["dry_run"] == {
        "type": "boolean",
        "default": False,
        "description": BulkDeleteSerializer().fields["dry_run"].help_text,
    }


def test_schema_states_the_attach_answers(schema):
    responses = schema["paths"]["/api/v1/interactions/{id}/checkpoints/"]["post"]["responses"]
    assert {"200", "201", "400", "401", "403", "404", "422"} <= set(responses)
    not_found = body_schema(schema, responses["422"])
    assert resolve(schema, not_found["properties"]["outcome"])["enum"] == ["reference_not_found"]
    assert {"reference", "checkpoint"} <= set(not_found["properties"])
    assert not_found["required"] == ["outcome"]
    one_of = [{"required": ["reference"]}, {"required": ["checkpoint"]}]
    assert not_found["oneOf"] == one_of
    attached = body_schema(schema, responses["201"])
    assert body_schema(schema, responses["200"]) == attached
    request = schema["paths"]["/api/v1/interactions/{id}/checkpoints/"]["post"]["requestBody"]
    attach = body_schema(schema, request)
    checkpoint = attach["properties"]["checkpoint"]
    assert (checkpoint["minimum"], checkpoint["maximum"]) == (1, 2**63 - 1)
    # Exactly one of reference and checkpoint; not both action and action_label.
    assert attach["oneOf"] == one_of
    assert attach["not"] == {"required": ["action", "action_label"]}


def test_schema_states_the_routing_tree_rules(schema):
    from routing.rules import OUTCOMES

    routing = schema["components"]["schemas"]["SmartRouting"]["properties"]
    node_ref, root = routing["tree"]["allOf"]
    assert node_ref == {"$ref": "#/components/schemas/RoutingNode"}
    assert root["properties"]["kind"]["enum"] == ["start"]
    node = schema["components"]["schemas"]["RoutingNode"]
    fields = node["properties"]
    assert resolve(schema, fields["kind"])["enum"] == list(OUTCOMES)
    assert fields["branches"]["type"] == "object"
    assert fields["branches"]["nullable"] is True  # null is like a left-out field
    assert fields["branches"]["additionalProperties"] == node_ref
    assert fields["label"]["maxLength"] == 200
    assert fields["reference_code"]["maxLength"] == 500
    assert fields["value"]["maxLength"] == 1000
    for name in ("id", "checkpoint"):
        assert fields[name]["type"] == "integer"
        assert (fields[name]["minimum"], fields[name]["maximum"]) == (1, 2**63 - 1)
        assert fields[name]["nullable"] is True
    assert fields["variable"]["pattern"] == "^[A-Za-z_][A-Za-z0-9_]{0,99}$"
    assert node["required"] == ["kind"]


def test_schema_states_the_body_errors(schema, django_user_model):
    bodies = [
        (path, method, operation)
        for path, method, operation in operations(schema)
        if "requestBody" in operation
    ]
    assert len(bodies) >= 10
    for path, method, operation in bodies:
        for code in ("413", "415"):
            ref = operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ErrorDetail"), (method, path, code)
    client = APIClient()
    client.force_login(django_user_model.objects.create_superuser("bodies", password=None))
    response = client.post("/api/v1/interactions/", "channel=voice", content_type="text/plain")
    assert response.status_code == 415
    assert set(response.json()) == {"detail"}
    assert not Interaction.objects.exists()
