"""The desks' corrections queue: readers' error reports (docs/corrections.md)."""

from django.urls import path

from masthead.sourcing import report_views

app_name = "corrections"

urlpatterns = [
    path("", report_views.queue, name="queue"),
    path("<int:report_id>/", report_views.report_page, name="report"),
    path("<int:report_id>/accept/", report_views.accept, name="accept"),
    path("<int:report_id>/decline/", report_views.decline, name="decline"),
]
