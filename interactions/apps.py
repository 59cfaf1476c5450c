from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "interactions"
    verbose_name = "Interactions"

    def ready(self) -> None:
        from checkpoint_maker.menu import MenuItem, register

        register(
            MenuItem(
                "Contact centre",
                "Interactions",
                "interactions:interaction_list",
                "interactions.interaction",
                order=300,
            )
        )
