"""Another site, for the round trip of a routing document between two databases: a Django
process of its own over a fresh SQLite database (``SQLITE_PATH``).

Run as ``python -m tests.routing.other_site`` with a JSON job on stdin: ``{"fillers": N,
"checkpoints": [[name, reference], ...], "documents": [document, ...]}``. It migrates, creates
N filler checkpoints (so the same references get other ids than on the first site) and the
checkpoints, imports each document in turn and answers on stdout, as JSON, each import's
action and the document the imported routing exports, and the checkpoints' ids.
"""

import json
import os
import sys

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from checkpoints.models import Checkpoint
    from routing import portable

    job = json.load(sys.stdin)
    call_command("migrate", verbosity=0)
    user = User.objects.create_superuser("importer", "importer@example.com", "pass-1-other")
    Checkpoint.objects.bulk_create(
        Checkpoint(name=f"Filler {index}", reference=f"filler_{index}")
        for index in range(job["fillers"])
    )
    ids = {
        reference: Checkpoint.objects.create(name=name, reference=reference).pk
        for name, reference in job["checkpoints"]
    }
    imports = []
    for document in job["documents"]:
        plan = portable.plan_import(document)
        routing = portable.apply_import(plan, user)
        text = portable.document_text(portable.export_routing(routing))
        imports.append({"action": plan.action, "export": text, "routing_id": routing.pk})
    json.dump({"imports": imports, "checkpoint_ids": ids}, sys.stdout)


if __name__ == "__main__":
    main()
