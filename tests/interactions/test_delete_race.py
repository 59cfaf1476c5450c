"""Deleting a checkpoint while clients attach it, over real HTTP (issue 7, item 2).

The rule: the delete always succeeds (204, the checkpoint gone); an attach racing it answers
201 (its row keeps its copies, its link null, its tag stays) or 422 once the delete is done,
never a 5xx. Each round: 24 clients attach one checkpoint by reference to their share of 288
new interactions while one more client deletes it once a third have answered. On PostgreSQL
over ``live_server``, on SQLite over gunicorn. The figures print (run with ``-s``);
``DELETE_RACE_ROUNDS=15`` measures more rounds (3 by default).
"""

import http.client
import json
import os
import threading
from collections import Counter
from urllib.parse import urlsplit

import pytest
from rest_framework.authtoken.models import Token

from checkpoints.models import Checkpoint
from interactions import services
from interactions.models import InteractionCheckpoint, InteractionTag
from tests.conftest import make_user
from tests.interactions.conftest import postgres_only

ATTACH_RIGHT = "interactions.add_interactioncheckpoint"

RACE_CLIENTS = 24
RACE_ATTACHES = 12  # per client and round
RACE_ROUNDS = int(os.environ.get("DELETE_RACE_ROUNDS", "3"))
DELETE_RIGHT = "checkpoints.delete_checkpoint"


def race_delete(base_url: str, token: str, checkpoint: dict, interaction_ids: list[int]):
    """RACE_CLIENTS threads attach ``checkpoint`` by reference to their share of the
    interactions, one after another; once a third have answered, one more DELETEs it.
    Each call is stamped with the order of its sending and answering (never a clock)."""
    url = urlsplit(base_url)
    order = iter(range(10**9))
    stamp = threading.Lock()
    third = threading.Event()
    attaches: list[dict] = []
    deletion: dict = {}

    def call(record: dict, method: str, path: str, body: dict | None = None) -> None:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        try:
            with stamp:
                record["sent"] = next(order)
            conn.request(method, path, body=body and json.dumps(body), headers=headers)
            response = conn.getresponse()
            record.update(status=response.status, body=response.read().decode())
            record["body"] = json.loads(record["body"])
        except Exception as error:  # reported by the checks
            record.setdefault("status", None)
            record["error"] = repr(error)
        finally:
            conn.close()
            with stamp:
                record["done"] = next(order)
                if method == "POST":
                    attaches.append(record)
                    if len(attaches) * 3 >= len(interaction_ids):
                        third.set()

    def attach_all(ids: list[int]) -> None:
        for interaction_id in ids:
            path = f"/api/v1/interactions/{interaction_id}/checkpoints/"
            call({"interaction": interaction_id}, "POST", path, {"reference": checkpoint["ref"]})

    def delete() -> None:
        third.wait(timeout=120)
        call(deletion, "DELETE", f"/api/v1/checkpoints/{checkpoint['id']}/")

    shares = [interaction_ids[index::RACE_CLIENTS] for index in range(RACE_CLIENTS)]
    threads = [threading.Thread(target=attach_all, args=(share,)) for share in shares]
    threads.append(threading.Thread(target=delete))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return attaches, deletion


def race_figures(database: str, rounds: list) -> str:
    statuses = Counter(record["status"] for attaches, _ in rounds for record in attaches)
    deletes = Counter(deletion.get("status") for _, deletion in rounds)
    errors = sum(n for status, n in (statuses + deletes).items() if not status or status >= 500)
    return (
        f"delete race on {database}: {len(rounds)} rounds, {RACE_CLIENTS} clients, "
        f"{statuses.total()} attaches {dict(sorted(statuses.items(), key=str))}, "
        f"deletes {dict(deletes)} ({deletes[204]} of {len(rounds)} done), 5xx or none: {errors}"
    )


def check_race(checkpoint: dict, attaches: list[dict], deletion: dict, stored: dict) -> None:
    """What API.md and the rule promise, against what was stored: ``stored`` has the round's
    attached rows as read (id → [interaction, checkpoint_id, name, reference, alias]), its tags
    (interaction ids holding the alias) and whether the checkpoint still exists."""
    assert deletion["status"] == 204, deletion
    assert not stored["checkpoint_exists"]
    assert {record["status"] for record in attaches} <= {201, 422}, [
        record for record in attaches if record["status"] not in (201, 422)
    ]
    created = [record for record in attaches if record["status"] == 201]
    copies = [checkpoint["name"], checkpoint["ref"], checkpoint["alias"]]
    assert stored["rows"] == {
        record["body"]["checkpoint"]["id"]: [record["interaction"], None, *copies]
        for record in created
    }
    assert all(
        record["body"]["checkpoint"]["checkpoint_id"] == checkpoint["id"] for record in created
    )
    assert stored["tagged"] == sorted(record["interaction"] for record in created)
    for record in attaches:
        if record["status"] == 422:
            assert record["done"] > deletion["sent"], record
            assert record["body"] == {
                "outcome": "reference_not_found",
                "reference": checkpoint["ref"],
            }
        if record["sent"] > deletion["done"]:
            assert record["status"] == 422, record


def stored_after_race(checkpoint: dict, interaction_ids: list[int]) -> dict:
    rows = InteractionCheckpoint.objects.filter(interaction_id__in=interaction_ids)
    tagged = InteractionTag.objects.filter(
        interaction_id__in=interaction_ids, name=checkpoint["alias"]
    )
    return {
        # As every read answers them: the link of a deleted checkpoint is empty.
        "rows": {
            row.pk: [row.interaction_id, row.live_checkpoint_id, row.name, row.reference, row.alias]
            for row in rows.select_related("checkpoint")
        },
        "tagged": sorted(tagged.values_list("interaction_id", flat=True)),
        "checkpoint_exists": Checkpoint.objects.filter(pk=checkpoint["id"]).exists(),
    }


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_deleting_a_checkpoint_while_it_is_attached(live_server):
    user = make_user("runtime", [ATTACH_RIGHT, DELETE_RIGHT])
    token = Token.objects.create(user=user).key
    rounds, checks = [], []
    for number in range(RACE_ROUNDS):
        made = Checkpoint.objects.create(
            name=f"Race {number}", reference=f"race_{number}", alias=f"race{number}"
        )
        checkpoint = {"id": made.pk, "name": made.name, "ref": made.reference, "alias": made.alias}
        ids = [
            services.create_interaction(channel="voice").pk
            for _ in range(RACE_CLIENTS * RACE_ATTACHES)
        ]
        attaches, deletion = race_delete(live_server.url, token, checkpoint, ids)
        rounds.append((attaches, deletion))
        checks.append((checkpoint, attaches, deletion, stored_after_race(checkpoint, ids)))
    print(race_figures("PostgreSQL", rounds))
    for round_checks in checks:
        check_race(*round_checks)


# The SQLite database lives in the gunicorn fixture's own file: set up and read back through
# manage.py shell, parameters given as a first line.
RACE_SEED_SCRIPT = """
import json
from rest_framework.authtoken.models import Token
from checkpoints.models import Checkpoint
from interactions.models import Interaction
from tests.conftest import make_user

rights = ["interactions.add_interactioncheckpoint", "checkpoints.delete_checkpoint"]
token = Token.objects.create(user=make_user("deleter", rights)).key
rounds = []
for number in range(ROUNDS):
    made = Checkpoint.objects.create(
        name=f"Race {number}", reference=f"race_{number}", alias=f"race{number}"
    )
    checkpoint = {"id": made.pk, "name": made.name, "ref": made.reference, "alias": made.alias}
    new = Interaction.objects.bulk_create(Interaction(channel="voice") for _ in range(COUNT))
    rounds.append([checkpoint, [interaction.pk for interaction in new]])
print(json.dumps({"token": token, "rounds": rounds}))
"""

RACE_STORED_SCRIPT = """
import json
from tests.interactions.test_delete_race import stored_after_race

print(json.dumps([stored_after_race(checkpoint, ids) for checkpoint, ids in ROUNDS]))
"""


def test_deleting_a_checkpoint_while_it_is_attached_on_sqlite(sqlite_server):
    base_url, _, _, query = sqlite_server
    count = RACE_CLIENTS * RACE_ATTACHES
    seeded = query(f"ROUNDS, COUNT = {RACE_ROUNDS}, {count}\n{RACE_SEED_SCRIPT}")
    rounds = [
        race_delete(base_url, seeded["token"], checkpoint, ids)
        for checkpoint, ids in seeded["rounds"]
    ]
    print(race_figures("SQLite (gunicorn, 4 workers)", rounds))
    stored = query(f"ROUNDS = {seeded['rounds']!r}\n{RACE_STORED_SCRIPT}")
    for (checkpoint, _), (attaches, deletion), found in zip(
        seeded["rounds"], rounds, stored, strict=True
    ):
        found["rows"] = {int(row_id): row for row_id, row in found["rows"].items()}
        check_race(checkpoint, attaches, deletion, found)
