"""Smart Routing API: bounded runs, the stopped answer when a run passes a limit."""

import pytest

from interactions.models import InteractionCheckpoint
from interactions.services import create_interaction
from routing.services import create_routing
from routing.tree import read_tree
from tests.routing.api_helpers import at, path_of, run_url, wrap

pytestmark = pytest.mark.django_db


# --- Bounded runs: the answer a caller sees ----------------------------------------------------


def test_a_runaway_value_ends_the_run_with_stopped(api, optin_checkpoints):
    double = {"kind": "set_variable", "variable": "x", "value": "{{ x }}{{ x }}"}
    first = {"kind": "add_checkpoint", "checkpoint": optin_checkpoints["fr"].pk}
    tree = wrap({**first, "branches": {"ok": {**double}}})
    current = tree["branches"]["next"]["branches"]["ok"]
    for _ in range(21):
        current["branches"] = {"next": {**double}}
        current = current["branches"]["next"]
    routing = create_routing(name="Runaway", channel="voice", tree=tree)
    interaction = create_interaction(channel="voice")
    response = api.post(
        run_url(routing.pk), {"interaction": interaction.pk, "variables": {"x": "x"}}, "json"
    )
    assert response.status_code == 200
    body = response.json()
    last = body["path"][-1]
    assert body["stopped"] == {
        "reason": "value_too_large",
        "detail": "The value of “x” passed 10,000 characters, the most a value may have.",
        "node_id": last["node_id"],
    }
    assert (last["kind"], last["outcome"]) == ("set_variable", None)
    assert body["end"] == last["node_id"]
    assert len(body["path"]) == 2 + 14
    # What the run did before the bound stays done.
    assert [row["reference"] for row in body["checkpoints"]] == ["optin_fr"]
    assert InteractionCheckpoint.objects.filter(interaction=interaction).count() == 1


def test_a_wide_filter_in_one_node_ends_the_run_with_stopped(api):
    tree = wrap({"kind": "set_variable", "variable": "x", "value": "{{ 'x'|ljust:'50000000' }}"})
    routing = create_routing(name="Wide", channel="email", tree=tree)
    interaction = create_interaction(channel="email")
    body = api.post(run_url(routing.pk), {"interaction": interaction.pk}, "json").json()
    assert body["stopped"]["reason"] == "value_too_large"
    assert body["stopped"]["node_id"] == body["end"] == body["path"][-1]["node_id"]


@pytest.mark.parametrize(
    ("bound", "value", "reason", "detail"),
    [
        ("MAX_STEPS", 2, "step_limit", "The run stopped after 2 steps, the most a run may take."),
        (
            "RUN_MAX_SECONDS",
            0,
            "time_limit",
            "The run stopped after 0 seconds, the longest a run may last.",
        ),
    ],
)
def test_the_step_and_time_limits_end_the_run_with_stopped(
    api, routing, monkeypatch, bound, value, reason, detail
):
    monkeypatch.setattr(f"routing.limits.{bound}", value)
    interaction = create_interaction(channel="voice", variables={"lang": "fr"})
    body = api.post(run_url(routing.pk), {"interaction": interaction.pk}, "json").json()
    tree = read_tree(routing)
    expected_path = [tree["id"], at(tree, "next")["id"]][:value]
    assert [step["node_id"] for step in body["path"]] == expected_path
    assert body["stopped"] == {
        "reason": reason,
        "detail": detail,
        "node_id": [tree["id"], at(tree, "next")["id"], at(tree, "next", "next")["id"]][value],
    }
    assert body["checkpoints"] == []


@pytest.mark.parametrize("code", ["\\udc80", "host\\u0000cp"])
def test_surrogate_and_nul_reference_codes_never_fail(api, optin_checkpoints, code):
    """The issue's 500s (SQLite and PostgreSQL): now a rendered code that cannot be a
    reference takes reference_not_found without a query. The shared variables rule may refuse
    such variables first, with a 400 naming them; never a 500."""
    tree = wrap(
        {
            "kind": "add_checkpoint",
            "reference_code": "{{ code }}",
            "branches": {"reference_not_found": {"kind": "end", "label": "Unknown"}},
        }
    )
    routing = create_routing(name="Codes", channel="voice", tree=tree)
    interaction = create_interaction(channel="voice")
    response = api.post(
        run_url(routing.pk),
        f'{{"interaction": {interaction.pk}, "variables": {{"code": "{code}"}}}}',
        content_type="application/json",
    )
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert set(response.json()) == {"variables"}
    else:
        assert path_of(response.json())[-2:] == [
            ("add_checkpoint", "Add a checkpoint", "reference_not_found"),
            ("end", "Unknown", None),
        ]
    assert not InteractionCheckpoint.objects.exists()


def test_the_schema_documents_stopped(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    result = schema["components"]["schemas"]["RunResult"]
    assert {"path", "checkpoints", "end", "stopped"} <= set(result["properties"])
    stop = schema["components"]["schemas"]["RunStop"]
    assert set(stop["properties"]) == {"reason", "detail", "node_id"}
