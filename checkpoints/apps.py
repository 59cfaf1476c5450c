from django.apps import AppConfig


class CheckpointsConfig(AppConfig):
    name = "checkpoints"
    verbose_name = "Toolbox: checkpoints"

    def ready(self) -> None:
        from checkpoint_maker.menu import MenuItem, register

        register(
            MenuItem(
                "Toolbox",
                "Checkpoints",
                "checkpoints:checkpoint_list",
                "checkpoints.checkpoint",
                order=100,
            )
        )
