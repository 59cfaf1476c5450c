"""What bench/scale and bench/statistics share in their child, inside Django: its set-up (a
superuser), filling the database to a size (bench/fill.py, with a few Smart Routings recorded
on the rows), the tables' counts, and the in-process timing of one URL with the Django test
client (a warm-up counting the queries, then timed repeats). bench/attach and bench/run use
its percentile, bench/run its server version. Not product code."""

import time

from bench.harness import log

URL_BUDGET_SECONDS = 60  # timed requests of one URL stop repeating past this
ROUTINGS_PER_CHANNEL = 2
ACTIONS_PER_ROUTING = 8


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# --- Child side: filling and timing, inside Django -------------------------------------------


def _connection():
    from django.db import connection

    return connection


def fill_checkpoints_then_routings(target, checkpoints: int, now, deadline) -> dict:
    """The first size's checkpoints, then the routings (their actions use hot checkpoints)."""
    from bench.fill import fill

    seconds = fill(
        _connection(),
        interactions=(1, 0),
        checkpoints=(1, checkpoints),
        history_from=(0, checkpoints),
        customers=1,
        now=now,
        log=log,
        deadline=deadline,
        analyze=False,
    )
    began = time.perf_counter()
    seconds["_routings"] = make_routings(checkpoints)
    seconds["routings"] = time.perf_counter() - began
    log(f"  routings: {seconds['routings']:.1f} s")
    return seconds


def make_routings(checkpoints: int) -> dict:
    """Two routings per channel (through the product's service), each a chain of
    ACTIONS_PER_ROUTING Add a checkpoint actions on hot checkpoints; returns their ids and the
    (channel, variant, slot, routing, action) records the attached rows take."""
    from routing.models import Node
    from routing.services import create_routing

    actions, ids = [], []
    for channel in ("voice", "email", "messaging"):
        for variant in range(ROUTINGS_PER_CHANNEL):
            tree = {"kind": "end", "label": "Transfer to an agent"}
            for step in reversed(range(ACTIONS_PER_ROUTING)):
                checkpoint = 1 + (step + variant * ACTIONS_PER_ROUTING) % max(1, checkpoints - 1)
                tree = {
                    "kind": "add_checkpoint",
                    "label": f"Mark step {step + 1}",
                    "checkpoint": checkpoint,
                    "branches": {
                        "ok": tree,
                        "reference_not_found": {"kind": "end", "label": f"Lost {step + 1}"},
                    },
                }
            tree = {"kind": "start", "label": "Incoming", "branches": {"next": tree}}
            routing = create_routing(
                name=f"{channel.title()} flow {variant + 1}", channel=channel, tree=tree
            )
            ids.append(routing.pk)
            nodes = list(
                Node.objects.filter(routing=routing, kind=Node.Kind.ADD_CHECKPOINT).order_by("id")
            )
            for slot in range(4):
                node = nodes[slot % len(nodes)]
                actions.append(
                    (channel, variant, slot, routing.pk, routing.name, node.pk, node.display_label)
                )
    return {"ids": ids, "actions": actions}


def grow(target: str, size: int, state: dict, now, deadline: float, analyze: bool) -> dict:
    """Fill the database to ``size`` interactions (checkpoints 10 %; the routings with the
    first size). ``state`` carries what earlier sizes filled ("done", "routings"). Returns
    the seconds per table."""
    from bench.fill import fill

    checkpoints = max(10, size // 10)
    log(f"[{target}] filling to {size} interactions, {checkpoints} checkpoints")
    done = state.get("done", (0, 0))  # interactions, checkpoints already filled
    if state.get("routings") is None:
        # Checkpoints first (the routings' actions use the hot ones), then the rest.
        seconds = fill_checkpoints_then_routings(target, checkpoints, now, deadline)
        state["routings"] = seconds.pop("_routings")
        done = (0, checkpoints)
    else:
        seconds = {}
    more = fill(
        _connection(),
        interactions=(done[0] + 1, size),
        checkpoints=(done[1] + 1, checkpoints) if checkpoints > done[1] else None,
        history_from=(0, checkpoints),
        customers=size // 5,
        now=now,
        actions=state["routings"]["actions"],
        log=log,
        deadline=deadline,
        analyze=True if analyze else None,
    )
    for name, value in more.items():
        seconds[name] = seconds.get(name, 0.0) + value
    state["done"] = (size, checkpoints)
    return seconds


def table_counts() -> dict:
    from checkpoints.models import Checkpoint
    from interactions.models import Interaction, InteractionCheckpoint, InteractionTag
    from routing.models import Node, SmartRouting

    return {
        "checkpoints": Checkpoint.objects.count(),
        "interactions": Interaction.objects.count(),
        "attached": InteractionCheckpoint.objects.count(),
        "tags": InteractionTag.objects.count(),
        "routings": SmartRouting.objects.count(),
        "nodes": Node.objects.count(),
    }


def server_version() -> str:
    connection = _connection()
    return str(
        connection.pg_version
        if connection.vendor == "postgresql"
        else connection.Database.sqlite_version
    )


def logged_in_client(user):
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def timed_samples(call, repeat: int, deadline: float) -> list[float]:
    """The milliseconds of ``repeat`` calls, fewer past URL_BUDGET_SECONDS or the deadline."""
    samples = []
    spent = time.perf_counter()
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
        if time.perf_counter() - spent > URL_BUDGET_SECONDS or time.time() > deadline:
            break
    return samples


def time_url(
    client,
    label: str,
    path: str,
    context: dict,
    repeat: int,
    deadline: float,
    *,
    untimed_statuses: tuple[int, ...] = (),
) -> dict:
    """GET ``path`` (formatted with ``context``) once as a warm-up that counts its queries,
    then ``repeat`` times timed (p50, p95); an answer in ``untimed_statuses`` is not timed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.fill_rules import Deadline

    row = {"label": label, "path": path}
    try:
        url = path.format(**context)
    except KeyError as missing:
        row.update(status=f"skipped: no {missing}")
        return row
    if time.time() > deadline:
        raise Deadline("stopped at the deadline")
    row["url"] = url
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)  # warm-up and query count
    row.update(status=response.status_code, queries=len(captured), bytes=len(response.content))
    if response.status_code in untimed_statuses:
        log(f"  {label:<36} {row['status']} not timed")
        return row
    samples = timed_samples(lambda: client.get(url), repeat, deadline)
    row.update(
        samples_ms=samples, p50_ms=percentile(samples, 0.5), p95_ms=percentile(samples, 0.95)
    )
    log(f"  {label:<36} {row['status']} {row['p50_ms']:8.1f} ms {row['queries']:>4} queries")
    return row


def start_child():
    """Django set up in a child (collectstatic's absence not warned about, a 404 or 400 answer
    a figure and not a warning to print) and a superuser; returns (the user, now)."""
    import logging
    import warnings
    from datetime import UTC, datetime

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)

    from django.contrib.auth.models import User

    now = datetime.now(UTC).replace(microsecond=0)
    user = User.objects.create_superuser("bench-admin", "admin@bench.invalid", None)
    return user, now
