from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "interactions"
    verbose_name = "Interactions"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from checkpoint_maker.extensions import register_detail_panel
        from checkpoint_maker.menu import MenuItem, register
        from checkpoints.models import Checkpoint
        from interactions.models import Interaction
        from interactions.statistics.rollup import forget_deleted_interaction
        from interactions.views import checkpoint_reach_panel

        register(
            MenuItem(
                "Contact centre",
                "Interactions",
                "interactions:interaction_list",
                "interactions.interaction",
                order=300,
            )
        )
        register(
            MenuItem(
                "Contact centre",
                "Statistics",
                "statistics:overview",
                "interactions.statistics",
                permission="interactions.view_statistics",
                order=310,
            )
        )
        # The checkpoint configuration page shows how many interactions reached it.
        register_detail_panel(Checkpoint, checkpoint_reach_panel)
        # A deleted interaction's days are read from the attached rows again until refolded.
        pre_delete.connect(forget_deleted_interaction, sender=Interaction)
