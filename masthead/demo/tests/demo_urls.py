"""The site's URLs with the demo's agency feeds, as `masthead demo` serves them."""

from django.urls import path

from masthead.demo.wire import feed
from masthead.urls import handler400, handler404, handler500, urlpatterns  # noqa: F401

urlpatterns = [path("demo/wire/<slug:slug>/", feed), *urlpatterns]
