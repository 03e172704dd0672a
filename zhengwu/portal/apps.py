from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "zhengwu.portal"
    label = "portal"
    verbose_name = "门户网站群"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import demo_portal, demo_review, tasks  # noqa: F401  register demo steps and periodic tasks
        from .cache import PageCacheMiddleware  # noqa: F401  receivers: purge the page cache, re-publish files
        from .reorg import register as register_reorg_parts
        from .search import setup  # noqa: F401  site search: signals, tasks, admin, demo step

        register_reorg_parts()  # 机构改革 moves or merges the sites of a ceased organization
