"""Authentication before the licence, and JSON in DRF's error shape on every path under
/api/ (DESIGN.md, Input rules); the repair of stored values that break reads."""

import json
from wsgiref.util import setup_testing_defaults

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from checkpoint_maker.validators import VARIABLES_MAX_DEPTH
from interactions.models import Interaction, InteractionCheckpoint
from routing.models import SmartRouting
from tests.conftest import LICENCE_BODY

LICENSED_API = ["/api/v1/checkpoints/", "/api/v1/routings/"]


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("root", password="pass-for-tests-1")


@pytest.fixture
def licence_off(settings):
    settings.SMART_LICENCE = False


@pytest.mark.parametrize("path", LICENSED_API)
def test_licence_off_anonymous_api_is_401_first(db, licence_off, path):
    response = APIClient().get(path)
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("path", LICENSED_API)
def test_licence_off_bad_token_is_401(db, licence_off, path):
    response = APIClient().get(path, HTTP_AUTHORIZATION="Token not-a-token")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


@pytest.mark.parametrize("path", LICENSED_API)
def test_licence_off_signed_in_api_is_the_licence_403(admin_user, licence_off, path):
    token = Token.objects.create(user=admin_user)
    by_token = APIClient().get(path, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert by_token.status_code == 403 and by_token.json() == LICENCE_BODY
    session = APIClient()
    session.force_login(admin_user)
    by_session = session.get(path)
    assert by_session.status_code == 403 and by_session.json() == LICENCE_BODY


def test_licence_off_attach_is_401_then_403(admin_user, licence_off):
    interaction = Interaction.objects.create(channel="voice")
    path = f"/api/v1/interactions/{interaction.pk}/checkpoints/"
    assert APIClient().post(path, {"reference": "x"}, format="json").status_code == 401
    token = Token.objects.create(user=admin_user)
    signed_in = APIClient().post(
        path, {"reference": "x"}, format="json", HTTP_AUTHORIZATION=f"Token {token.key}"
    )
    assert signed_in.status_code == 403 and signed_in.json() == LICENCE_BODY
    assert not InteractionCheckpoint.objects.exists()


@pytest.mark.parametrize(
    ("path", "login"),
    [
        ("/toolbox/checkpoints/", "/login/"),
        ("/smart-routing/", "/login/"),
        ("/admin/checkpoints/checkpoint/", "/admin/login/"),
    ],
)
def test_licence_off_anonymous_pages_go_to_the_login_page(client, db, licence_off, path, login):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{login}?next=")


@pytest.mark.parametrize(
    "path",
    ["/api/v1/interactions/-1/", "/api/v1/routings/-1/", "/api/v1/nothing-here/", "/api/v2/"],
)
def test_unknown_api_paths_answer_json(admin_user, path):
    assert APIClient().get(path).status_code == 401
    client = APIClient()
    client.force_authenticate(admin_user)
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_body_over_the_upload_limit_is_a_json_413(admin_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = APIClient()
    client.force_authenticate(admin_user)
    body = json.dumps({"channel": "voice", "subject": "x" * 2000})
    response = client.post("/api/v1/interactions/", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large: at most 1,000 bytes."}
    assert not Interaction.objects.exists()


def call_wsgi(path: str, content_type: str) -> tuple[str, dict, bytes]:
    """A GET through the WSGI application gunicorn serves."""
    from checkpoint_maker.wsgi import application

    environ: dict = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "channel=voice"}
    setup_testing_defaults(environ)
    environ["CONTENT_TYPE"] = content_type
    answer: dict = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=dict(headers))

    body = b"".join(application(environ, start_response))
    return answer["status"], answer["headers"], body


def test_a_charset_that_is_no_text_encoding_is_a_400(db):
    rot13 = "text/plain; charset=rot13"
    status, headers, body = call_wsgi("/api/v1/interactions/", rot13)
    assert status == "400 Bad Request"
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {
        "detail": "The charset 'rot13' of Content-Type is not a text encoding."
    }
    status, headers, _ = call_wsgi("/interactions/", rot13)
    assert status == "400 Bad Request"
    assert headers["Content-Type"].startswith("text/plain")
    status, _, _ = call_wsgi("/api/v1/interactions/", "text/plain; charset=latin-1")
    assert status.startswith("401")  # a text encoding: on to the API, which wants credentials


def test_branches_must_be_an_object(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    response = client.post(
        "/api/v1/routings/",
        {"name": "R", "channel": "voice", "tree": {"kind": "start", "branches": []}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"tree": ["tree.branches: must be an object of outcome: node"]}
    assert not SmartRouting.objects.exists()


def poison_variables(interaction: Interaction, stored_json: str) -> None:
    """Store ``variables`` as raw JSON text, as rows written before the input rules were."""
    table = connection.ops.quote_name(Interaction._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET variables = %s WHERE id = %s", [stored_json, interaction.pk]
        )


def test_repair_finds_and_repairs_unpaired_surrogates(admin_user, capsys):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL refuses unpaired surrogates in jsonb: nothing can be stored")
    interaction = Interaction.objects.create(channel="voice")
    poison_variables(interaction, '{"code": "\\udc80", "ok": "fine"}')
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(admin_user)
    assert client.get("/api/v1/interactions/").status_code == 500  # what repair is for
    with pytest.raises(CommandError):
        call_command("repair_text", "--check")
    assert f"interactions.Interaction.variables: 1 to repair (ids {interaction.pk})" in (
        capsys.readouterr().out
    )
    call_command("repair_text")
    interaction.refresh_from_db()
    assert interaction.variables == {"code": "\ufffd", "ok": "fine"}
    assert client.get("/api/v1/interactions/").status_code == 200
    call_command("repair_text", "--check")
    assert "No stored value to repair." in capsys.readouterr().out


def test_repair_cuts_variables_nested_too_deeply(admin_user, capsys):
    interaction = Interaction.objects.create(channel="voice")
    deep: dict = {"leaf": 1}
    for _ in range(VARIABLES_MAX_DEPTH + 5):
        deep = {"a": deep}
    Interaction.objects.filter(pk=interaction.pk).update(variables=deep)
    with pytest.raises(CommandError):
        call_command("repair_text", "--check")
    call_command("repair_text")
    interaction.refresh_from_db()
    depth, value = 0, interaction.variables
    while isinstance(value, dict):
        depth, value = depth + 1, value["a"]
    assert depth == VARIABLES_MAX_DEPTH
    assert value == "[removed: nested too deeply]"
    call_command("repair_text", "--check")
