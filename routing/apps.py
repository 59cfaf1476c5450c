from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = "Smart Routing"

    def ready(self) -> None:
        from checkpoint_maker.menu import MenuItem, register

        register(
            MenuItem(
                "Toolbox",
                "Smart Routing",
                "routing:smartrouting_list",
                "routing.smartrouting",
                order=200,
            )
        )
