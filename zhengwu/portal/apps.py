from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "zhengwu.portal"
    label = "portal"
    verbose_name = "门户网站群"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import demo_portal, tasks  # noqa: F401  register demo steps and periodic tasks
        from .cache import PageCacheMiddleware  # noqa: F401  receivers: purge the page cache, re-publish files
        from .search import setup  # noqa: F401  site search: signals, tasks, admin, demo step
