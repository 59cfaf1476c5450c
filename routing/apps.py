from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = "Smart Routing"

    def ready(self) -> None:
        from checkpoint_maker import audit
        from checkpoint_maker.extensions import (
            register_delete_warning,
            register_detail_panel,
            register_edit_warning,
        )
        from checkpoint_maker.menu import MenuItem, register
        from checkpoints.models import Checkpoint
        from interactions.services import register_action_resolver
        from interactions.statistics.routings import register_routing_choices
        from routing import hooks, selectors, services
        from routing.models import Node, SmartRouting

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
        register_detail_panel(Checkpoint, hooks.checkpoint_where_used_panel)
        register_delete_warning(Checkpoint, hooks.checkpoint_delete_warnings)
        register_edit_warning(Checkpoint, hooks.checkpoint_edit_warnings)
        register_delete_warning(SmartRouting, hooks.routing_delete_warnings)
        # An attach through the API may name the action (node) that set the checkpoint.
        register_action_resolver(services.resolve_action)
        # The statistics pages' Smart Routing select.
        register_routing_choices(selectors.routing_choices)
        # Configuration history: routings (whole versions) and their nodes in the Audit log.
        audit.register(
            audit.AuditedEntity(
                "routing",
                "Smart Routing",
                SmartRouting,
                describe=lambda record: record.name,
                history_url=audit.history_url("routing:smartrouting_history"),
                licensed=True,
            )
        )
        audit.register(
            audit.AuditedEntity(
                "node",
                "Smart Routing node",
                Node,
                describe=lambda record: record.label or record.get_kind_display(),
                history_url=audit.history_url("routing:smartrouting_history", "routing_id"),
                licensed=True,
            )
        )
