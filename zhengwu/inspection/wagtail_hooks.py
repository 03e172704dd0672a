"""The inspection app in the Wagtail admin: 网站检查 menu with the site registry, the problem list and exports."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from . import dashboard, views  # noqa: F401  (dashboard: work items on the admin home page)

app_name = "inspection"
urlpatterns = [
    path("", views.site_index, name="site_index"),
    path("sites/<int:pk>/", views.site_detail, name="site_detail"),
    path("sites/<int:pk>/run/", views.site_run, name="site_run"),
    path("findings/", views.finding_index, name="finding_index"),
    path("findings/<int:pk>/rectify/", views.finding_rectify, name="finding_rectify"),
    path("export.<str:fmt>", views.export, name="export"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("inspection/", include((urlpatterns, "inspection"), namespace="inspection"))]


class _PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_menu_item")
def register_menu():
    submenu = Menu(
        items=[
            _PermissionMenuItem(
                "受检网站",
                reverse("inspection:site_index"),
                name="inspection-sites",
                icon_name="site",
                order=100,
                permission="inspection.view_inspectedsite",
            ),
            _PermissionMenuItem(
                "问题清单",
                reverse("inspection:finding_index"),
                name="inspection-findings",
                icon_name="warning",
                order=200,
                permission="inspection.view_finding",
            ),
        ]
    )
    return SubmenuMenuItem("网站检查", submenu, name="inspection", icon_name="search", order=700)


@hooks.register("register_permissions")
def register_permissions():
    """List the inspection permissions in the role (group) editor, so that a security administrator can give them."""
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(
        content_type__app_label="inspection",
        content_type__model__in=["inspectedsite", "inspectionrun", "finding", "termlist"],
    )
