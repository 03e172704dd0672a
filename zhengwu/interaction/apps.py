from django.apps import AppConfig


class InteractionConfig(AppConfig):
    name = "zhengwu.interaction"
    label = "interaction"
    verbose_name = "政民互动"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The 12345 work order runs on core's dispatch engine; set-up and demo steps, tasks register here.
        from zhengwu.core.dispatch import register_case_type

        from . import (  # noqa: F401  (set-up and demo steps, forms, tasks register on import)
            demo_engagement,
            demo_hotline,
            demo_mailbox,
            engagement_forms,
            setup_hotline,
            setup_mailbox,
            tasks,
        )
        from .models import Letter, WorkOrder
        from .public_section import register as register_public_section

        register_public_section()  # 互动交流 in the portal's navigation, 网站地图 and sitemap.xml
        from .reorg import register as register_reorg_parts
        from .services.mailbox import letter_admin_url, letter_overdue, on_letter_event
        from .services.notifications import on_dispatch_event

        register_case_type(
            WorkOrder,
            code="hotline",
            label="12345工单",
            limit_keys=lambda order: (order.urgency, order.kind),
            detail_url=lambda order: f"/admin/hotline/orders/{order.pk}/",
            on_event=on_dispatch_event,
            label_of=lambda order: f"12345工单 {order.tracking_number}",
            office_permission="interaction.take_calls",
        )
        register_case_type(
            Letter,
            code="mailbox",
            label="信箱来信",
            limit_keys=lambda letter: ("", letter.kind),
            detail_url=letter_admin_url,
            on_event=on_letter_event,
            label_of=lambda letter: f"{letter.mailbox.name}来信 {letter.tracking_number}",
            overdue_of=letter_overdue,
            office_permission="interaction.handle_letters",
        )
        register_reorg_parts()  # 机构改革 hands the 派单目录 and knowledge entries to the successor
