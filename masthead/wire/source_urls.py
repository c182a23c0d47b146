"""The wire source pages, at ``/desk/wire/sources/`` (mounted before the queue and the desk)."""

from django.urls import path

from masthead.wire import source_views

app_name = "wire_sources"

urlpatterns = [
    path("", source_views.source_list, name="list"),
    path("new/", source_views.source_new, name="new"),
    path("<int:source_id>/", source_views.source_edit, name="edit"),
    path("<int:source_id>/pause/", source_views.source_pause, name="pause"),
    path("<int:source_id>/resume/", source_views.source_resume, name="resume"),
    path("<int:source_id>/poll/", source_views.source_poll, name="poll"),
    path("<int:source_id>/secret/", source_views.source_secret, name="secret"),
    path("<int:source_id>/delete/", source_views.source_delete, name="delete"),
]
