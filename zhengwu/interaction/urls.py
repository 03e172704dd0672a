from django.urls import path

from . import views

urlpatterns = [
    path("xinxiang/", views.mailbox_index, name="mailbox_index"),
    path("xinxiang/cx/", views.lookup_letter, name="mailbox_lookup"),
    path("xinxiang/<slug:code>/", views.mailbox_page, name="mailbox_page"),
    path("xinxiang/<slug:code>/xiexin/", views.write_letter, name="mailbox_write"),
    path("xinxiang/<slug:code>/rss/", views.PublishedLettersFeed(), name="mailbox_feed"),
    path("xinxiang/<slug:code>/<str:number>/", views.published_letter, name="mailbox_letter"),
]
