"""Public URLs of 互动交流 (``hudong``): 在线访谈 (``hudong/ft``), 意见征集 (``hudong/zj``) and 调查问卷 (``hudong/dc``)."""

from django.urls import path

from . import engagement_views as views

urlpatterns = [
    path("hudong/", views.engagement_index, name="engagement_index"),
    path("hudong/ft/", views.interview_list, name="engagement_interviews"),
    path("hudong/ft/<int:pk>/", views.interview_detail, name="engagement_interview"),
    path("hudong/ft/<int:pk>/live.json", views.interview_live, name="engagement_interview_live"),
    path("hudong/zj/", views.consultation_list, name="engagement_consultations"),
    path("hudong/zj/<int:pk>/", views.consultation_detail, name="engagement_consultation"),
    path(
        "hudong/zj/<int:pk>/fj/<int:attachment_id>/",
        views.consultation_attachment,
        name="engagement_consultation_attachment",
    ),
    path("hudong/dc/", views.survey_list, name="engagement_surveys"),
    path("hudong/dc/<int:pk>/", views.survey_detail, name="engagement_survey"),
    path("hudong/dc/<int:pk>/jg/", views.survey_results, name="engagement_survey_results"),
]
