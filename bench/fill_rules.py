"""The spread both fill paths follow (bench/fill.py describes it): the checkpoints' words, the
interactions' subjects and dates, the shares; and what the two paths share around their
statements (the tables' names, the chunks, the deadline). Not product code."""

import time

NAMES = (
    "Recognised customer",
    "Opt-in collected",
    "Callback offered",
    "A/B test target",
    "Payment taken",
    "Survey sent",
    "Identity verified",
    "Queue overflow",
    "Agent transfer",
    "Self-service done",
    "Voicemail left",
    "Language chosen",
)
SHORT = (
    "known",
    "optin",
    "callback",
    "abtest",
    "paid",
    "survey",
    "idok",
    "overflow",
    "transfer",
    "selfserve",
    "voicemail",
    "lang",
)
SUBJECTS = (
    "Delivery question",
    "Invoice",
    "Change of address",
    "Password reset",
    "Complaint",
    "New contract",
    "Cancellation",
    "",
)
DAYS = 182
ONGOING_SECONDS = 2 * 86400
MIN_AGE_SECONDS = 600
ATTACHED_PER_INTERACTION = 4
HISTORY_SHARE = 0.95  # the other 5 % of checkpoints are never attached
NO_ROUTING_SHARE = 0.10
CHUNK = 250_000  # interactions per statement (PostgreSQL) or per transaction (SQLite)
BATCH = 20_000  # rows per executemany (SQLite)


def checkpoint_fields(k: int) -> tuple[str, str, str]:
    """(name, reference, alias) of checkpoint ``k``."""
    word = k % len(NAMES)
    alias = "" if k % 10 == 0 else f"{SHORT[word]}{k}"
    return f"{NAMES[word]} {k}", f"ck_{k:06d}", alias


def slot_count(history_checkpoints: int) -> int:
    return max(1, int(history_checkpoints * HISTORY_SHARE) // ATTACHED_PER_INTERACTION)


class Deadline(Exception):
    pass


def tables():
    from checkpoints.models import Checkpoint
    from interactions.models import Interaction, InteractionCheckpoint, InteractionTag

    return {
        "checkpoint": Checkpoint._meta.db_table,
        "interaction": Interaction._meta.db_table,
        "attached": InteractionCheckpoint._meta.db_table,
        "tag": InteractionTag._meta.db_table,
    }


def chunks(first: int, last: int):
    for low in range(first, last + 1, CHUNK):
        yield low, min(last, low + CHUNK - 1)


def check_deadline(deadline: float | None) -> None:
    if deadline is not None and time.time() > deadline:
        raise Deadline("fill stopped at the deadline")
