"""Demo Smart Routings that tell real journeys, run on a few demo interactions; and the Smart
Routing rights of the demo roles.

Called by ``manage.py seed_demo`` after the checkpoints' and the interactions' demos
(INSTALLED_APPS order). A routing is keyed on its name: created with its tree when missing,
left as it is otherwise (a user may have edited it). Its demo interactions are keyed on their
demo customer identifiers: when one of them exists, that routing's runs are skipped, so a
second run changes nothing. Each run goes through the runner, so the interaction pages show
which routing action set each checkpoint.

The routings carry the names the interactions' demo journeys record, so the whole demo tells
one story: the main voice line, the support mailbox and the messaging channels. Last, the
Statistics history (interactions.demo_statistics) is added with these routings' ids.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from checkpoint_maker.demo import ADMINISTRATOR, EDITOR, READ_ONLY, grant
from checkpoints.models import Checkpoint
from interactions import services as interaction_services
from interactions.demo import EMAIL_ROUTING, MESSAGING_ROUTING, VOICE_ROUTING
from interactions.demo_statistics import seed_history
from interactions.models import Interaction
from routing import services
from routing.models import SmartRouting
from routing.runner import run_routing


def start(label: str, next_node: dict) -> dict:
    return {"kind": "start", "label": label, "branches": {"next": next_node}}


def set_variable(label: str, variable: str, value: str, next_node: dict) -> dict:
    return {
        "kind": "set_variable",
        "label": label,
        "variable": variable,
        "value": value,
        "branches": {"next": next_node},
    }


def switch(label: str, variable: str, branches: dict[str, dict]) -> dict:
    return {"kind": "switch", "label": label, "variable": variable, "branches": branches}


def checkpoint(label: str, reference: str, ok: dict | None = None, not_found=None) -> dict:
    """An add-a-checkpoint action on a checkpoint chosen from the list (by its reference)."""
    branches = {"ok": ok, "reference_not_found": not_found}
    return {
        "kind": "add_checkpoint",
        "label": label,
        "checkpoint": reference,  # replaced by the checkpoint's id when the tree is built
        "branches": {outcome: node for outcome, node in branches.items() if node is not None},
    }


def checkpoint_code(label: str, code: str, ok: dict | None = None, not_found=None) -> dict:
    """An add-a-checkpoint action whose reference is a code over the variables."""
    branches = {"ok": ok, "reference_not_found": not_found}
    return {
        "kind": "add_checkpoint",
        "label": label,
        "reference_code": code,
        "branches": {outcome: node for outcome, node in branches.items() if node is not None},
    }


def end(label: str) -> dict:
    return {"kind": "end", "label": label}


@dataclass(frozen=True)
class DemoRun:
    customer: str
    subject: str
    variables: dict[str, Any]
    started_ago: timedelta
    live: bool = False


@dataclass(frozen=True)
class DemoRouting:
    name: str
    channel: str
    description: str
    tree: dict
    runs: tuple[DemoRun, ...]


DEMO_ROUTINGS = (
    DemoRouting(
        VOICE_ROUTING,
        Interaction.Channel.VOICE,
        "Identifies the caller, asks for the marketing opt-in in the caller's language, then "
        "transfers to the advisors.",
        start(
            "Incoming call",
            set_variable(
                "Language from the IVR menu",
                "lang",
                "{{ lang|default:'en'|lower }}",
                switch(
                    "Caller identified?",
                    "caller_known",
                    {
                        "yes": checkpoint(
                            "Caller recognised by number",
                            "recognised_customer",
                            ok=checkpoint_code(
                                "Ask for marketing opt-in",
                                "optin_{{ lang }}",
                                ok=checkpoint(
                                    "Transfer to an advisor",
                                    "transfer-advisor",
                                    ok=end("Advisors queue"),
                                ),
                                not_found=end("Advisors queue (no opt-in in this language)"),
                            ),
                            not_found=end("Advisors queue"),
                        ),
                        "default": checkpoint(
                            "Identification failed",
                            "identification_failed",
                            ok=end("Identification desk"),
                        ),
                    },
                ),
            ),
        ),
        (
            DemoRun(
                "demo-1001 Marta Nowak",
                "Card blocked abroad",
                {"lang": "FR", "caller_known": "yes"},
                timedelta(minutes=3),
                live=True,
            ),
            DemoRun(
                "demo-1002 Omar Said",
                "Mortgage appointment",
                {"lang": "it", "caller_known": "yes"},
                timedelta(minutes=18),
            ),
            DemoRun(
                "demo-1003 Pia Jensen",
                "Unknown number",
                {"lang": "de", "caller_known": "no"},
                timedelta(minutes=42),
            ),
        ),
    ),
    DemoRouting(
        EMAIL_ROUTING,
        Interaction.Channel.EMAIL,
        "Acknowledges every email, then splits the spring campaign's replies between the A "
        "and B teams (A/B test on the campaign variable).",
        start(
            "Email received",
            checkpoint(
                "Send the acknowledgement",
                "email.autoreply",
                ok=switch(
                    "Campaign A/B split",
                    "campaign",
                    {
                        "A": checkpoint(
                            "A/B split: campaign A", "campaign_a", ok=end("Campaign A team")
                        ),
                        "B": checkpoint(
                            "A/B split: campaign B", "campaign_b", ok=end("Campaign B team")
                        ),
                        "default": end("Support queue"),
                    },
                ),
            ),
        ),
        (
            DemoRun(
                "demo-2001 Quentin Roux",
                "Re: spring offer (A)",
                {"campaign": "A", "lang": "fr"},
                timedelta(minutes=25),
                live=True,
            ),
            DemoRun(
                "demo-2002 Rita Costa",
                "Re: spring offer (B)",
                {"campaign": "B", "lang": "pt"},
                timedelta(minutes=50),
            ),
            DemoRun(
                "demo-2003 Sam Taylor",
                "Where is my parcel?",
                {"lang": "en"},
                timedelta(hours=1, minutes=5),
            ),
        ),
    ),
    DemoRouting(
        MESSAGING_ROUTING,
        Interaction.Channel.MESSAGING,
        "Out of opening hours, offers a callback; otherwise offers paperless billing before "
        "handing over to an advisor.",
        start(
            "Conversation started",
            switch(
                "Opening hours check",
                "out_of_hours",
                {
                    "yes": checkpoint(
                        "Out of opening hours",
                        "out_of_hours",
                        ok=checkpoint(
                            "Offer a callback",
                            "callback_offered",
                            ok=switch(
                                "Callback answer?",
                                "callback",
                                {
                                    "accepted": checkpoint(
                                        "Callback booked",
                                        "callback_accepted",
                                        ok=end("Close: callback scheduled"),
                                    ),
                                    "default": end("Close the conversation"),
                                },
                            ),
                        ),
                    ),
                    "default": checkpoint(
                        "Offer paperless billing",
                        "upsell_offered",
                        ok=switch(
                            "Upsell answer?",
                            "upsell",
                            {
                                "accepted": checkpoint(
                                    "Paperless billing accepted",
                                    "upsell_accepted",
                                    ok=end("Transfer to an advisor"),
                                ),
                                "default": end("Transfer to an advisor"),
                            },
                        ),
                    ),
                },
            ),
        ),
        (
            DemoRun(
                "demo-3001 Tom Baker",
                "Message at 22:40",
                {"out_of_hours": "yes", "callback": "accepted", "source": "whatsapp"},
                timedelta(minutes=8),
            ),
            DemoRun(
                "demo-3002 Uma Patel",
                "Bill too high",
                {"upsell": "accepted", "source": "web chat"},
                timedelta(minutes=2),
                live=True,
            ),
            DemoRun(
                "demo-3003 Victor Lam",
                "Delivery slot",
                {"source": "web chat"},
                timedelta(minutes=35),
            ),
        ),
    ),
)


def with_checkpoint_ids(node: dict, ids: dict[str, int]) -> dict:
    """The tree with each checkpoint reference replaced by its id; a checkpoint that is no
    longer in the Toolbox becomes a reference code (the action then takes Reference not
    found, as it would at runtime)."""
    node = dict(node)
    reference = node.get("checkpoint")
    if isinstance(reference, str):
        if reference in ids:
            node["checkpoint"] = ids[reference]
        else:
            del node["checkpoint"]
            node["reference_code"] = reference
    node["branches"] = {
        outcome: with_checkpoint_ids(child, ids)
        for outcome, child in (node.get("branches") or {}).items()
    }
    return node


def _run(routing: SmartRouting, demo: DemoRun, now) -> int:
    interaction = interaction_services.create_interaction(
        channel=routing.channel,
        customer=demo.customer,
        subject=demo.subject,
        variables=demo.variables,
        started_at=now - demo.started_ago,
    )
    result = run_routing(routing, interaction)
    if not demo.live:
        interaction_services.close_interaction(interaction, ended_at=timezone.now())
    return len(result.checkpoints)


def seed(stdout) -> None:
    grant(ADMINISTRATOR, SmartRouting, ["view", "add", "change", "delete"])
    grant(EDITOR, SmartRouting, ["view", "add", "change"])
    grant(READ_ONLY, SmartRouting, ["view"])

    ids = dict(Checkpoint.objects.values_list("reference", "pk"))
    existing = {routing.name: routing for routing in SmartRouting.objects.all()}
    customers = [run.customer for demo in DEMO_ROUTINGS for run in demo.runs]
    ran_before = set(
        Interaction.objects.filter(customer__in=customers).values_list("customer", flat=True)
    )
    now = timezone.now()
    created = runs = attached = 0
    for demo in DEMO_ROUTINGS:
        routing = existing.get(demo.name)
        if routing is None:
            routing = services.create_routing(
                name=demo.name,
                channel=demo.channel,
                description=demo.description,
                tree=with_checkpoint_ids(demo.tree, ids),
            )
            created += 1
        if any(run.customer in ran_before for run in demo.runs):
            continue
        for run in demo.runs:
            attached += _run(routing, run, now)
            runs += 1
    stdout.write(
        f"Smart Routing: {len(DEMO_ROUTINGS)} demo routings ({created} new), "
        f"{runs} demo runs ({attached} checkpoints attached)."
    )
    seed_history(stdout, dict(SmartRouting.objects.values_list("name", "pk")))
