"""DESIGN.md's input rules on every entry point: text without NUL or unpaired surrogates,
64-bit ids, strings that are strings, bounded ``variables``: a 400 naming the field, and
nothing stored."""

import json

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from checkpoint_maker.validators import MAX_ID, VARIABLES_MAX_BYTES, VARIABLES_MAX_DEPTH
from checkpoints.models import Checkpoint
from interactions.models import Interaction, InteractionCheckpoint
from routing.models import Node, SmartRouting

NUL = "host\u0000cp"
SURROGATE = "code \ud800"
HOSTILE = [NUL, SURROGATE, "\udc80"]


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("root", password="pass-for-tests-1")


@pytest.fixture
def api(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


def post_json(api, path: str, body) -> object:
    """Post ``body`` as JSON text, surrogates and all (json.dumps escapes them)."""
    return api.post(path, data=json.dumps(body), content_type="application/json")


def stored() -> tuple[int, int, int, int]:
    return (
        Checkpoint.objects.count(),
        Interaction.objects.count(),
        SmartRouting.objects.count(),
        Node.objects.count(),
    )


def nested(depth: int) -> dict:
    value: dict = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def tree_with(**fields) -> dict:
    return {"kind": "start", "branches": {"next": {"kind": "end", **fields}}}


def routing_with(step: dict) -> dict:
    """A routing's create body whose tree is a start, then ``step``."""
    return {"name": "R", "channel": "voice", "tree": {"kind": "start", "branches": {"next": step}}}


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize(
    ("path", "make_body", "field"),
    [
        (
            "/api/v1/interactions/",
            lambda t: {"channel": "voice", "variables": {"k": t}},
            "variables",
        ),
        (
            "/api/v1/interactions/",
            lambda t: {"channel": "voice", "variables": {t: "v"}},
            "variables",
        ),
        ("/api/v1/interactions/", lambda t: {"channel": "voice", "subject": t}, "subject"),
        ("/api/v1/interactions/", lambda t: {"channel": "voice", "customer": t}, "customer"),
        ("/api/v1/checkpoints/", lambda t: {"name": t, "reference": "ok_ref"}, "name"),
        ("/api/v1/checkpoints/", lambda t: {"name": "A", "reference": "r", "alias": t}, "alias"),
        (
            "/api/v1/routings/",
            lambda t: {"name": "R", "channel": "voice", "tree": tree_with(label=t)},
            "tree",
        ),
        (
            "/api/v1/routings/",
            lambda t: routing_with(
                {"kind": "switch", "variable": "x", "branches": {t: {"kind": "end"}}}
            ),
            "tree",
        ),
        (
            "/api/v1/routings/",
            lambda t: routing_with({"kind": "add_checkpoint", "reference_code": t}),
            "tree",
        ),
        (
            "/api/v1/routings/",
            lambda t: {"name": "R", "channel": "voice", "description": t},
            "description",
        ),
    ],
)
def test_text_the_databases_refuse_is_a_400_naming_the_field(api, path, make_body, field, text):
    before = stored()
    response = post_json(api, path, make_body(text))
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert stored() == before


@pytest.mark.parametrize("text", HOSTILE)
def test_run_variables_and_attach_label_refuse_bad_text(api, text):
    interaction = Interaction.objects.create(channel="voice")
    routing = SmartRouting.objects.create(name="R", channel="voice")
    Node.objects.create(routing=routing, kind="start")
    Checkpoint.objects.create(name="A", reference="a")
    run = post_json(
        api,
        f"/api/v1/routings/{routing.pk}/run/",
        {"interaction": interaction.pk, "variables": {"code": text}},
    )
    assert run.status_code == 400 and "variables" in run.json()
    attach = post_json(
        api,
        f"/api/v1/interactions/{interaction.pk}/checkpoints/",
        {"reference": "a", "action_label": text},
    )
    assert attach.status_code == 400 and "action_label" in attach.json()
    assert not InteractionCheckpoint.objects.exists()


def test_the_message_gives_the_path_to_the_bad_text(api):
    response = post_json(
        api, "/api/v1/interactions/", {"channel": "voice", "variables": {"lang": {"x": NUL}}}
    )
    assert response.json() == {
        "variables": ["variables.lang.x: text may not contain the NUL character (\\u0000)."]
    }


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/checkpoints/bulk-delete/", {"ids": [MAX_ID + 1]}, "ids"),
        ("/api/v1/checkpoints/bulk-delete/", {"ids": [2**64]}, "ids"),
        (
            "/api/v1/routings/",
            {
                "name": "R",
                "channel": "voice",
                "tree": {
                    "kind": "start",
                    "branches": {"next": {"kind": "add_checkpoint", "checkpoint": 2**64}},
                },
            },
            "tree",
        ),
        (
            "/api/v1/routings/",
            {"name": "R", "channel": "voice", "tree": tree_with(id=2**64)},
            "tree",
        ),
        ("/api/v1/interactions/1/checkpoints/", {"checkpoint": 2**64}, "checkpoint"),
    ],
)
def test_ids_past_64_bits_are_a_400_naming_the_field(api, path, body, field):
    Interaction.objects.create(channel="voice")
    before = stored()
    response = post_json(api, path, body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert stored() == before


def test_variables_have_a_depth_limit(api):
    ok = post_json(
        api, "/api/v1/interactions/", {"channel": "voice", "variables": nested(VARIABLES_MAX_DEPTH)}
    )
    assert ok.status_code == 201
    for depth in (VARIABLES_MAX_DEPTH + 1, 2500):
        before = stored()
        response = post_json(
            api, "/api/v1/interactions/", {"channel": "voice", "variables": nested(depth)}
        )
        assert response.status_code == 400, depth
        assert set(response.json()) <= {"variables", "detail"}
        assert stored() == before


def test_variables_have_a_size_limit(api):
    fits = {"blob": "x" * (VARIABLES_MAX_BYTES - 20)}
    assert (
        post_json(api, "/api/v1/interactions/", {"channel": "voice", "variables": fits}).status_code
        == 201
    )
    too_big = {"blob": "x" * VARIABLES_MAX_BYTES}
    response = post_json(api, "/api/v1/interactions/", {"channel": "voice", "variables": too_big})
    assert response.status_code == 400
    assert "32 KB" in response.json()["variables"][0]
    assert Interaction.objects.count() == 1


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/interactions/", {"channel": "voice", "subject": -9.4e80}, "subject"),
        ("/api/v1/interactions/", {"channel": "voice", "customer": 12}, "customer"),
        ("/api/v1/checkpoints/", {"name": 5, "reference": "five"}, "name"),
        ("/api/v1/checkpoints/", {"name": "Five", "reference": 5}, "reference"),
        ("/api/v1/routings/", {"name": True, "channel": "voice"}, "name"),
    ],
)
def test_numbers_sent_for_text_are_refused(api, path, body, field):
    before = stored()
    response = post_json(api, path, body)
    assert response.status_code == 400
    assert field in response.json()
    assert stored() == before


def test_maker_form_refuses_nul_and_stores_nothing(admin_user, client):
    client.force_login(admin_user)
    response = client.post(
        "/toolbox/checkpoints/add/", {"name": "Bad\u0000name", "reference": "bad", "alias": ""}
    )
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.text
    assert not Checkpoint.objects.exists()


@pytest.mark.parametrize(
    ("variables", "rule"),
    [
        (nested(VARIABLES_MAX_DEPTH + 2), "levels deep"),
        ({"k": SURROGATE}, "unpaired surrogate"),
        ({"k": NUL}, "NUL"),
        (["not", "an", "object"], "JSON object"),
    ],
)
def test_admin_form_refuses_bad_variables(admin_user, rf, variables, rule):
    interaction = Interaction.objects.create(channel="voice", variables={"a": "b"})
    request = rf.post("/admin/")
    request.user = admin_user
    model_admin = admin.site.get_model_admin(Interaction)
    form_class = model_admin.get_form(request, interaction)
    data = {
        "channel": "voice",
        "started_at_0": "2026-01-01",
        "started_at_1": "10:00:00",
        "variables": json.dumps(variables),
    }
    form = form_class(data=data, instance=interaction)
    assert not form.is_valid()
    assert rule in " ".join(form.errors["variables"])
    interaction.refresh_from_db()
    assert interaction.variables == {"a": "b"}


def test_page_bulk_delete_with_an_id_past_64_bits_deletes_nothing(admin_user, client):
    client.force_login(admin_user)
    keep = Checkpoint.objects.create(name="Keep", reference="keep")
    response = client.post(
        "/toolbox/checkpoints/delete/",
        {"pk": [str(keep.pk), str(2**64)], "confirm": "1"},
        follow=True,
    )
    assert response.status_code == 200
    assert f"No checkpoint with id {2**64}." in response.text
    assert Checkpoint.objects.filter(pk=keep.pk).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/toolbox/checkpoints/99999999999999999999/",
        "/interactions/99999999999999999999/",
        "/smart-routing/99999999999999999999/",
    ],
)
def test_pages_with_ids_past_64_bits_are_404(admin_user, client, path):
    client.force_login(admin_user)
    assert client.get(path).status_code == 404
