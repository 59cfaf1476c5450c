from django.apps import AppConfig


def resolve_action(action_id: int):
    """What a Smart Routing action (node) id stands for, as recorded on an interaction; None
    for an unknown id. Registered with the interactions attach service (one query)."""
    from interactions.services import ActionRecord
    from routing.models import Node

    node = Node.objects.select_related("routing").filter(pk=action_id).first()
    if node is None:
        return None
    return ActionRecord(
        routing_id=node.routing_id,
        routing_name=node.routing.name,
        action_id=node.pk,
        action_label=node.display_label,
    )


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = "Smart Routing"

    def ready(self) -> None:
        from checkpoint_maker.extensions import (
            register_delete_warning,
            register_detail_panel,
            register_edit_warning,
        )
        from checkpoint_maker.menu import MenuItem, register
        from checkpoints.models import Checkpoint
        from interactions.services import register_action_resolver
        from routing import views
        from routing.models import SmartRouting

        register(
            MenuItem(
                "Toolbox",
                "Smart Routing",
                "routing:smartrouting_list",
                "routing.smartrouting",
                order=200,
            )
        )
        # Brief §4, on the checkpoint pages: where it is used, and what deleting it or
        # changing its reference does to the routing actions that use it.
        register_detail_panel(Checkpoint, views.checkpoint_where_used_panel)
        register_delete_warning(Checkpoint, views.checkpoint_delete_warnings)
        register_edit_warning(Checkpoint, views.checkpoint_edit_warnings)
        register_delete_warning(SmartRouting, views.routing_delete_warnings)
        # An attach through the API may name the action (node) that set the checkpoint.
        register_action_resolver(resolve_action)
