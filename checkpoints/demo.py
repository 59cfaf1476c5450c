"""Demo checkpoints from the brief's use cases, and the checkpoint rights of the demo roles.

Called by ``manage.py seed_demo`` after checkpoint_maker's demo (which creates the roles).
A checkpoint is found by its reference: created when missing, corrected when its name or alias
differ, left untouched otherwise, so a second run changes nothing.
"""

from checkpoint_maker.demo import ADMINISTRATOR, EDITOR, READ_ONLY, grant
from checkpoints import services
from checkpoints.models import Checkpoint

# (name, reference, alias)
DEMO_CHECKPOINTS = (
    ("Recognised customer", "recognised_customer", "recognised"),
    ("Identification passed", "identification_ok", "identified"),
    ("Identification failed", "identification_failed", "not identified"),
    ("Opt-in collected (French)", "optin_fr", "opt-in FR"),
    ("Opt-in collected (English)", "optin_en", "opt-in EN"),
    ("Opt-in collected (German)", "optin_de", "opt-in DE"),
    ("Opt-in collected (Spanish)", "optin_es", "opt-in ES"),
    ("Callback offered", "callback_offered", "callback"),
    ("Callback accepted", "callback_accepted", "callback ok"),
    ("Upsell offered", "upsell_offered", "upsell"),
    ("Upsell accepted", "upsell_accepted", "upsell ok"),
    ("A/B test: campaign A target crossed", "campaign_a", "campaign A"),
    ("A/B test: campaign B target crossed", "campaign_b", "campaign B"),
    ("Campaign offer accepted", "offer_accepted", "offer ok"),
    ("VIP customer", "vip", "VIP"),
    ("Complaint escalated", "complaint.escalated", "escalated"),
    ("Satisfaction survey accepted", "survey_accepted", "survey"),
    ("Out of opening hours", "out_of_hours", "after hours"),
    ("Queue overflow branch", "queue_overflow", "overflow"),
    ("Transferred to an advisor", "transfer-advisor", "to advisor"),
    ("Resolved in self-service", "selfservice_resolved", "self-service"),
    ("Email auto-reply sent", "email.autoreply", "auto-reply"),
    ("Handed over to the CRM", "handover+crm@partner", "CRM"),
)


def seed(stdout) -> None:
    grant(ADMINISTRATOR, Checkpoint, ["view", "add", "change", "delete"])
    grant(EDITOR, Checkpoint, ["view", "add", "change"])
    grant(READ_ONLY, Checkpoint, ["view"])

    existing = Checkpoint.objects.in_bulk(
        [reference for _, reference, _ in DEMO_CHECKPOINTS], field_name="reference"
    )
    created = 0
    for name, reference, alias in DEMO_CHECKPOINTS:
        checkpoint = existing.get(reference)
        if checkpoint is None:
            services.create_checkpoint(name=name, reference=reference, alias=alias)
            created += 1
        elif (checkpoint.name, checkpoint.alias) != (name, alias):
            services.update_checkpoint(checkpoint, name=name, alias=alias)
    stdout.write(f"Checkpoints: {len(DEMO_CHECKPOINTS)} demo checkpoints ({created} new).")
