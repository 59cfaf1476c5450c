"""Routing documents (routing.portable): export, preview (plan) and import, between two
databases, with their rules, limits and query counts."""

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from checkpoints.models import Checkpoint
from routing import portable
from routing.models import Node, SmartRouting
from routing.services import create_routing
from tests.routing.api_helpers import full_tree, node, wrap

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def exported(routing: SmartRouting) -> str:
    return portable.document_text(portable.export_routing(routing))


def document_of(tree: dict, name: str = "Imported", channel: str = "voice") -> dict:
    return {
        "format": portable.FORMAT,
        "version": portable.VERSION,
        "routing": {"name": name, "channel": channel, "description": "", "tree": tree},
    }


def on_other_site(tmp_path, job: dict) -> dict:
    """Run tests.routing.other_site over a fresh SQLite database of its own."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(SQLITE_PATH=str(tmp_path / "other-site.sqlite3"), SMART_LICENCE="on")
    answer = subprocess.run(
        [sys.executable, "-m", "tests.routing.other_site"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert answer.returncode == 0, answer.stderr
    return json.loads(answer.stdout)


def test_a_routing_round_trips_between_two_databases(tmp_path, routing, optin_checkpoints):
    """Export on this site, import on another whose checkpoints have the same references and
    other ids, export there: the same document, byte for byte; importing it again there
    replaces the routing, and still exports the same."""
    text = exported(routing)
    document = json.loads(text)
    assert "optin_fr" in text
    answer = on_other_site(
        tmp_path,
        {
            "fillers": 7,
            "checkpoints": [[cp.name, cp.reference] for cp in optin_checkpoints.values()],
            "documents": [document, document],
        },
    )
    created, replaced = answer["imports"]
    assert (created["action"], replaced["action"]) == ("create", "replace")
    assert created["export"] == text
    assert replaced["export"] == text
    assert created["routing_id"] == replaced["routing_id"]
    assert answer["checkpoint_ids"]["optin_fr"] != optin_checkpoints["fr"].pk


def test_export_names_checkpoints_by_reference_without_ids(routing, optin_checkpoints):
    document = portable.export_routing(routing)
    assert document["format"] == "checkpoint-maker/routing"
    assert document["version"] == 1
    assert set(document["routing"]) == {"name", "channel", "description", "tree"}
    chosen = document["routing"]["tree"]["branches"]["next"]["branches"]["next"]["branches"]["fr"]
    assert chosen["checkpoint_reference"] == "optin_fr"
    assert "checkpoint" not in chosen
    assert '"id"' not in exported(routing)


def test_export_import_export_here_is_identical(routing):
    text = exported(routing)
    routing.delete()
    plan = portable.plan_import(json.loads(text))
    assert (plan.action, plan.errors, plan.missing_references) == ("create", [], [])
    assert exported(portable.apply_import(plan, None)) == text


def test_a_deleted_checkpoint_exports_as_null_and_is_an_error_to_import(routing):
    Checkpoint.objects.filter(reference="optin_fr").delete()
    document = portable.export_routing(routing)
    text = portable.document_text(document)
    assert '"checkpoint_reference": null' in text
    plan = portable.plan_import(document)
    assert any("exactly one of a checkpoint or a reference code" in e for e in plan.errors)


def test_preview_lists_every_missing_reference_and_the_import_is_refused(optin_checkpoints):
    tree = full_tree(optin_checkpoints["fr"].pk)
    document = portable.export_routing(create_routing(name="R", channel="voice", tree=tree))
    document["routing"]["name"] = "Elsewhere"
    fr = document["routing"]["tree"]["branches"]["next"]["branches"]["next"]["branches"]["fr"]
    fr["checkpoint_reference"] = "welcome_zz"
    fr["branches"]["ok"] = {"kind": "add_checkpoint", "checkpoint_reference": "goodbye_zz"}
    plan = portable.plan_import(document)
    assert plan.errors == []
    assert plan.missing_references == ["goodbye_zz", "welcome_zz"]
    assert not plan.can_apply
    with pytest.raises(portable.ImportRefused):
        portable.apply_import(plan, None)
    assert not SmartRouting.objects.filter(name="Elsewhere").exists()


def test_a_routing_of_the_same_name_is_replaced(routing, other_routing):
    document = document_of(wrap(node("end", "Bye")), name=routing.name, channel="email")
    plan = portable.plan_import(document)
    assert (plan.action, plan.existing) == ("replace", routing)
    assert plan.node_counts == {"start": 1, "end": 1}
    imported = portable.apply_import(plan, None)
    assert imported.pk == routing.pk
    assert imported.channel == "email"
    assert list(routing.nodes.values_list("kind", flat=True).order_by("id")) == ["start", "end"]
    assert SmartRouting.objects.count() == 2


def test_two_routings_of_the_name_are_an_error(routing):
    create_routing(name=routing.name, channel="email")
    plan = portable.plan_import(document_of(wrap(node("end")), name=routing.name))
    assert plan.errors and plan.errors[0].startswith("routing.name: several routings")


def broken(change) -> dict:
    document = document_of(
        wrap({"kind": "add_checkpoint", "checkpoint_reference": "optin_fr", "branches": {}})
    )
    change(document)
    return document


def set_in(*path_and_value):
    *path, key, value = path_and_value

    def change(document):
        target = document
        for step in path:
            target = target[step]
        target[key] = value

    return change


ACTION = ("routing", "tree", "branches", "next")
BAD_DOCUMENTS = {
    "not an object": (lambda d: d.clear(), "format: must be"),
    "another format": (set_in("format", "csv"), "format: must be"),
    "version 2": (set_in("version", 2), "version: must be 1"),
    "version true": (set_in("version", True), "version: must be 1"),
    "huge version": (set_in("version", 10**400), "version: must be 1"),
    "routing a list": (set_in("routing", []), "routing: must be an object"),
    "name a number": (set_in("routing", "name", 12), "routing.name: must be a string"),
    "empty name": (set_in("routing", "name", " "), "routing.name: This field cannot be blank"),
    "unknown channel": (set_in("routing", "channel", "fax"), "routing.channel: Value 'fax'"),
    "unknown routing key": (set_in("routing", "owner", 1), "routing.owner: not a field"),
    "NUL": (set_in(*ACTION, "label", "a\x00b"), "document.routing.tree.branches.next.label:"),
    "surrogate": (set_in("routing", "description", "\ud800"), "document.routing.description:"),
    "no tree": (set_in("routing", "tree", None), "routing.tree: a node must be an object"),
    "an id": (set_in(*ACTION, "id", 3), "routing.tree.branches.next.id: not a field"),
    "a checkpoint id": (set_in(*ACTION, "checkpoint", 3), "routing.tree.branches.next.checkpoint"),
    "bad reference": (
        set_in(*ACTION, "checkpoint_reference", "no spaces"),
        "routing.tree.branches.next.checkpoint_reference: must be a checkpoint reference",
    ),
    "reference a number": (
        set_in(*ACTION, "checkpoint_reference", 10**30),
        "routing.tree.branches.next.checkpoint_reference: must be",
    ),
    "both": (
        set_in(*ACTION, "reference_code", "x"),
        "routing.tree.branches.next: an add_checkpoint needs exactly one",
    ),
    "bad outcome": (
        set_in(*ACTION, "branches", {"maybe": {"kind": "end"}}),
        "routing.tree.branches.next.branches.maybe: 'maybe' is not an outcome",
    ),
    "label a float": (set_in(*ACTION, "label", 1e999), "routing.tree.branches.next.label: must"),
}


@pytest.mark.parametrize("case", BAD_DOCUMENTS, ids=list(BAD_DOCUMENTS))
def test_a_bad_document_names_the_path_and_stores_nothing(optin_checkpoints, case):
    change, expected = BAD_DOCUMENTS[case]
    plan = portable.plan_import(broken(change))
    assert any(error.startswith(expected) for error in plan.errors), plan.errors
    with pytest.raises(portable.ImportRefused):
        portable.apply_import(plan, None)
    assert not SmartRouting.objects.exists()


def deep(depth: int) -> dict:
    tree = {"kind": "end"}
    for _ in range(depth):
        tree = {"kind": "set_variable", "variable": "x", "value": "1", "branches": {"next": tree}}
    return {"kind": "start", "branches": {"next": tree}}


def test_limits_of_depth_and_size(db):
    plan = portable.plan_import(document_of(deep(5000)))
    assert any("a tree may be at most 200 nodes deep" in error for error in plan.errors)
    wide = {"kind": "switch", "variable": "x", "branches": {}}
    wide["branches"] = {f"v{index}": {"kind": "end"} for index in range(1500)}
    plan = portable.plan_import(document_of(wrap(wide)))
    assert "routing.tree: a tree may have at most 1000 nodes" in plan.errors


def test_a_checkpoint_deleted_between_preview_and_import_stores_nothing(optin_checkpoints):
    document = broken(lambda document: None)
    plan = portable.plan_import(document)
    assert plan.can_apply
    optin_checkpoints["fr"].delete()
    with pytest.raises(ValidationError):
        portable.apply_import(plan, None)
    assert not SmartRouting.objects.exists()
    assert not Node.objects.exists()


def sized_tree(actions: int, checkpoints: list[Checkpoint]) -> dict:
    """A start, a switch, and ``actions`` add_checkpoint actions each ending: 2 + 2N nodes."""
    branches = {
        f"v{index}": {
            "kind": "add_checkpoint",
            "checkpoint": checkpoints[index % len(checkpoints)].pk,
            "branches": {"ok": {"kind": "end"}},
        }
        for index in range(actions)
    }
    return wrap({"kind": "switch", "variable": "lang", "branches": branches})


@pytest.mark.parametrize("actions", [4, 49])
def test_query_counts_do_not_grow_with_the_tree(
    make_checkpoints, django_assert_num_queries, actions
):
    checkpoints = make_checkpoints(20)
    routing = create_routing(name="Sized", channel="voice", tree=sized_tree(actions, checkpoints))
    with django_assert_num_queries(1):
        document = portable.export_routing(routing)
    document["routing"]["name"] = "Sized copy"
    with django_assert_num_queries(3):  # checkpoints by reference, by id, same name
        plan = portable.plan_import(copy.deepcopy(document))
    assert plan.can_apply and plan.node_count == 2 + 2 * actions
    # lock checkpoints, routing, its nodes (none), 4 levels of nodes, updated_at; savepoints;
    # the routing's history entry and its tree version (routing/versions.py)
    with django_assert_num_queries(9 + 2 * 2 + 2):
        portable.apply_import(plan, None)


def test_a_plain_reference_code_naming_no_checkpoint_is_only_a_warning(optin_checkpoints):
    tree = wrap(
        {
            "kind": "add_checkpoint",
            "reference_code": "welcome_zz",
            "branches": {"ok": {"kind": "add_checkpoint", "reference_code": "optin_{{ lang }}"}},
        }
    )
    plan = portable.plan_import(document_of(tree))
    assert (plan.unmatched_codes, plan.missing_references) == (["welcome_zz"], [])
    assert plan.can_apply
