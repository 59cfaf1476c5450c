"""``manage.py seed_demo``: demo roles, users and data, for trying the Maker on a laptop.

Each app of this project may have a ``demo`` module with ``seed(stdout) -> None``; they are
called in INSTALLED_APPS order, all in one transaction, so an app adds its demo data without
this command knowing it (apps depend one way only). Running it twice changes nothing.
"""

from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from checkpoint_maker.demo import DEMO_USERS


def project_demo_modules() -> list:
    """The ``demo`` modules of this project's own apps (not Django's nor a library's)."""
    root = Path(settings.BASE_DIR).resolve()
    modules = []
    for app_config in apps.get_app_configs():
        if Path(app_config.path).resolve().parent != root:
            continue
        name = f"{app_config.name}.demo"
        if find_spec(name) is None:
            continue
        module = import_module(name)
        if not callable(getattr(module, "seed", None)):
            raise CommandError(f"{name} has no seed(stdout) function.")
        modules.append(module)
    return modules


class Command(BaseCommand):
    help = "Create demo roles, users and data (idempotent). Demo passwords: never on a real site."

    def handle(self, *args, **options):
        with transaction.atomic():
            for module in project_demo_modules():
                module.seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Demo logins (demo only):"))
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username} / {demo.password}  ({demo.role})")
