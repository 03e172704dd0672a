"""Public URLs of 办事服务 (``bsfw`` on Chinese government sites)."""

from django.urls import path

from . import views

urlpatterns = [
    path("bsfw/", views.index, name="govservice_index"),
    path("bsfw/ss/", views.search, name="govservice_search"),
    path("bsfw/bm/<str:code>/", views.department, name="govservice_department"),
    path("bsfw/zt/<str:audience>/", views.theme, name="govservice_theme"),
    path("bsfw/sx/<int:pk>/", views.guide, name="govservice_guide"),
    path("bsfw/sx/<int:pk>/dy/", views.guide_print, name="govservice_guide_print"),
    path("bsfw/sx/<int:pk>/fj/<int:file_id>/", views.item_file, name="govservice_item_file"),
    path("bsfw/sx/<int:pk>/sb/", views.apply, name="govservice_apply"),
    path("bsfw/sx/<int:pk>/pj/", views.rate_item, name="govservice_rate"),
    path("bsfw/cx/", views.lookup, name="govservice_lookup"),
    path("bsfw/hcp/", views.rating_stats, name="govservice_ratings"),
]
