from django.urls import path

from masthead.wire import views

app_name = "wire"

# Mounted at /desk/wire/ (masthead/urls.py); /desk/wire/sources/ is the sources' pages.
urlpatterns = [
    path("", views.queue, name="queue"),
    path("poll/", views.poll, name="poll"),
    path("write/", views.write_story, name="write"),
    path("items/<int:item_id>/", views.item, name="item"),
    path("items/<int:item_id>/add/", views.add_to_story, name="add"),
]
