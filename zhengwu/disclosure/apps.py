from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "zhengwu.disclosure"
    label = "disclosure"
    verbose_name = "政府信息公开"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register set-up and demo steps, periodic tasks and the clock-status hooks of this app.
        from zhengwu.portal.cache import register_cacheable_view

        from . import demo_disclosure, setup_disclosure, tasks  # noqa: F401
        from .reorg import register as register_reorg_parts

        register_reorg_parts()  # what 机构改革 moves: open requests, catalogue items, routes

        # Read-only public pages may be served from the portal's page cache; the services that change what they
        # show purge it after their commit (see services.catalogue and services.reports).
        register_cacheable_view(
            "disclosure_index",
            "disclosure_catalogue",
            "disclosure_item",
            "disclosure_guide",
            "disclosure_standard_index",
            "disclosure_standard_area",
            "disclosure_annual_report",
        )
