"""Public URLs of 政府信息公开 (政府信息公开 is ``xxgk`` on Chinese government sites)."""

from django.urls import path

from . import views

urlpatterns = [
    path("xxgk/", views.index, name="disclosure_index"),
    path("xxgk/ysqgk/", views.apply, name="disclosure_apply"),
    path("xxgk/ysqgk/cx/", views.lookup, name="disclosure_lookup"),
    path("xxgk/ysqgk/cxm/", views.resend_code, name="disclosure_resend_code"),
    path("xxgk/ysqgk/cx/ws/<int:pk>.<str:fmt>", views.lookup_letter, name="disclosure_lookup_letter"),
    path("xxgk/bzml/", views.standard_index, name="disclosure_standard_index"),
    path("xxgk/bzml/<str:code>/", views.standard_area, name="disclosure_standard_area"),
    path("xxgk/bzml/<str:code>.xlsx", views.standard_area_xlsx, name="disclosure_standard_area_xlsx"),
    path("xxgk/xx/<int:pk>/", views.item_detail, name="disclosure_item"),
    path("xxgk/xx/<int:pk>/fj/<int:attachment_id>/", views.attachment, name="disclosure_item_attachment"),
    path("xxgk/ndbg/<str:code>/<int:year>/", views.annual_report, name="disclosure_annual_report"),
    path(
        "xxgk/ndbg/<str:code>/<int:year>.<str:fmt>",
        views.annual_report_file,
        name="disclosure_annual_report_file",
    ),
    path("xxgk/<str:code>/", views.organization_catalogue, name="disclosure_catalogue"),
    path("xxgk/<str:code>/ml.xlsx", views.catalogue_xlsx, name="disclosure_catalogue_xlsx"),
    path("xxgk/<str:code>/zn/", views.guide, name="disclosure_guide"),
]
