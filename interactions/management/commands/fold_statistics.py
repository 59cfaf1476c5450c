"""``manage.py fold_statistics``: fold the closed days into the statistics' daily rollups.

Run it every few minutes (cron, a systemd timer): a day is folded once, after it closed, and
again only after it changed (interactions/statistics/rollup.py). Reports are exact without
it; with it, the overview reads one row per checkpoint and day and the journeys one per
interaction and day instead of every attached row.
"""

import time

from django.core.management.base import BaseCommand

from interactions.statistics import rollup


class Command(BaseCommand):
    help = "Fold the closed days not folded yet into the statistics' daily rollups."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=rollup.MAX_FOLD_DAYS,
            help=f"how many days back to look (default {rollup.MAX_FOLD_DAYS})",
        )

    def handle(self, *args, days: int, **options):
        began = time.perf_counter()
        folded = rollup.fold(back=days)
        self.stdout.write(f"{folded} days folded in {time.perf_counter() - began:.1f} s.")
