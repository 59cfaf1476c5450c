"""Plain helpers shared by the runtime attachment tests: the url, a post, what is stored."""

from interactions.models import Interaction, InteractionCheckpoint, InteractionTag

ATTACH_RIGHT = "interactions.add_interactioncheckpoint"
VIEW_RIGHT = "interactions.view_interaction"
ATTACHED_FIELDS = {
    "id",
    "checkpoint_id",
    "name",
    "reference",
    "alias",
    "attached_at",
    "routing_id",
    "routing_name",
    "action_id",
    "action_label",
}
ONE_OF = ["Give exactly one of reference or checkpoint."]


def attach_url(interaction_id) -> str:
    return f"/api/v1/interactions/{interaction_id}/checkpoints/"


def post(client, interaction_id, body):
    return client.post(attach_url(interaction_id), body, format="json")


def attached(interaction: Interaction) -> list[str]:
    """The references of the rows attached to ``interaction``, oldest first."""
    rows = InteractionCheckpoint.objects.filter(interaction=interaction).order_by("attached_at")
    return list(rows.values_list("reference", flat=True))


def tags_of(interaction: Interaction) -> list[str]:
    return list(
        InteractionTag.objects.filter(interaction=interaction).values_list("name", flat=True)
    )
