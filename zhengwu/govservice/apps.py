from django.apps import AppConfig


class GovServiceConfig(AppConfig):
    # Not "services": every app already has a services/ package of writes; the label avoids the clash.
    name = "zhengwu.govservice"
    label = "govservice"
    verbose_name = "网上办事"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zhengwu.core.dispatch import register_case_type

        from . import dashboard, demo_govservice, setup_govservice, tasks  # noqa: F401
        from .models import Rectification
        from .services.rating_events import on_rectification_event

        register_case_type(
            Rectification,
            code="rating",
            label="差评整改",
            limit_keys=lambda rectification: ("", ""),
            detail_url=lambda rectification: f"/admin/govservice/rectifications/{rectification.pk}/",
            on_event=on_rectification_event,
            label_of=lambda rectification: f"差评整改 {rectification.tracking_number}",
            office_permission="govservice.handle_ratings",
        )
