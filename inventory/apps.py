from __future__ import annotations

from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = "Inventory"

    def ready(self) -> None:
        # Connects the security-event receivers and registers the checks of our settings.
        from inventory import checks, security_log  # noqa: F401
