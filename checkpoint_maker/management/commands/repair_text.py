"""``manage.py repair_text``: find and repair stored values that break reads.

Rows stored before the input rules (checkpoint_maker.validators) may hold text that no read can
render: NUL characters, or unpaired surrogates (SQLite keeps them as ``\\udXXX`` escapes in
JSON; no UTF-8 page or answer can encode them), and ``variables`` nested deeper than any JSON
client parses. This command scans every text and JSON column of the product's models in
batches, replaces each bad character by U+FFFD and each object nested past the limit by a
note, and says what it changed. ``--check`` only reports, and exits 1 when it finds any.

PostgreSQL refuses NUL and unpaired surrogates itself, so there only JSON depth is scanned.
"""

import re
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models

from checkpoint_maker.validators import (
    VARIABLES_MAX_DEPTH,
    find_unclean_text,
    json_depth,
    text_problem,
)

PRODUCT_APPS = ("checkpoints", "interactions", "routing")
REPLACEMENT = "\ufffd"
TOO_DEEP = "[removed: nested too deeply]"
BAD_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
BATCH = 2000


def clean_text(value: str) -> str:
    return BAD_CHARACTERS.sub(REPLACEMENT, value)


def clean_json(value: Any, depth: int = 0) -> Any:
    """``value`` with clean strings and nothing nested past VARIABLES_MAX_DEPTH."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, (dict, list)) and depth >= VARIABLES_MAX_DEPTH:
        return TOO_DEEP
    if isinstance(value, dict):
        return {clean_text(str(key)): clean_json(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_json(item, depth + 1) for item in value]
    return value


def json_is_clean(value: Any) -> bool:
    """No bad text anywhere in ``value`` and nothing nested past the limit (the rules'
    own checks)."""
    return json_depth(value) <= VARIABLES_MAX_DEPTH and find_unclean_text(value) is None


def columns() -> list[tuple[type[models.Model], models.Field]]:
    found = []
    for label in PRODUCT_APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, (models.CharField, models.TextField, models.JSONField)):
                    found.append((model, field))
    return found


def candidates(model: type[models.Model], field: models.Field) -> models.QuerySet:
    """Rows that may hold a bad value, narrowed by the database where it can: JSON is read
    whole (no index answers depth), text only where it holds NUL (never on PostgreSQL)."""
    rows = model._default_manager.order_by("pk")
    if isinstance(field, models.JSONField):
        return rows
    if connection.vendor == "postgresql":
        return rows.none()
    return rows.filter(**{f"{field.name}__contains": "\x00"})


class Command(BaseCommand):
    help = "Find and repair stored text and JSON that break reads (NUL, unpaired surrogates)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Only report; exit 1 if anything is found."
        )

    def handle(self, *args, check: bool = False, **options):
        total = 0
        for model, field in columns():
            bad: dict[int, Any] = {}
            queryset = candidates(model, field).values_list("pk", field.attname)
            for pk, value in queryset.iterator(chunk_size=BATCH):
                if isinstance(field, models.JSONField):
                    if not json_is_clean(value):
                        bad[pk] = clean_json(value)
                elif isinstance(value, str) and text_problem(value):
                    bad[pk] = clean_text(value)
            if not bad:
                continue
            total += len(bad)
            shown = ", ".join(str(pk) for pk in list(bad)[:10])
            more = "…" if len(bad) > 10 else ""
            verb = "to repair" if check else "repaired"
            self.stdout.write(
                f"{model._meta.label}.{field.name}: {len(bad)} {verb} (ids {shown}{more})"
            )
            if not check:
                for pk, value in bad.items():
                    model._default_manager.filter(pk=pk).update(**{field.attname: value})
        if total == 0:
            self.stdout.write("No stored value to repair.")
        elif check:
            raise CommandError(f"{total} stored values break reads: run repair_text to fix them.")
