from django.urls import path

from masthead.site import views

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    path("masthead/", views.masthead, name="masthead"),
    path("corrections/", views.corrections, name="corrections"),
    path("preview/<str:token>/", views.preview, name="preview"),
    path("author/<str:slug>/", views.author, name="author"),
    path("tag/<str:slug>/", views.tag, name="tag"),
    path("<str:desk_slug>/", views.desk, name="desk"),
    path("<str:desk_slug>/<str:slug>/", views.story, name="story"),
]
