from django.urls import path

from masthead.site import search_views, sitemaps, views
from masthead.site.feeds import StoryFeed
from masthead.sourcing import report_views

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    path("masthead/", views.masthead, name="masthead"),
    path("corrections/", views.corrections, name="corrections"),
    path("preview/<str:token>/", views.preview, name="preview"),
    path("author/<str:slug>/", views.author, name="author"),
    path("tag/<str:slug>/", views.tag, name="tag"),
    path("label/<str:slug>/", views.label, name="label"),
    path("policies/<str:slug>/", views.policy, name="policy"),
    # Before the desks' addresses: a desk cannot be called "search".
    path("search/", search_views.search, name="search"),
    # Distribution (docs/distribution.md). A section's feeds are its page's
    # address + feed.xml / atom.xml: a story slug never has a dot, so
    # /<desk>/feed.xml can never be a story's address (/<desk>/<story>/).
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemaps.index, name="sitemap_index"),
    path("sitemaps/<str:section>.xml", sitemaps.section, name="sitemap"),
    path("feed/", StoryFeed("site"), name="feed"),
    path("feed/atom/", StoryFeed("site", atom=True), name="feed_atom"),
    path("author/<str:slug>/feed.xml", StoryFeed("author"), name="author_feed"),
    path("author/<str:slug>/atom.xml", StoryFeed("author", atom=True), name="author_feed_atom"),
    path("tag/<str:slug>/feed.xml", StoryFeed("tag"), name="tag_feed"),
    path("tag/<str:slug>/atom.xml", StoryFeed("tag", atom=True), name="tag_feed_atom"),
    path("label/<str:slug>/feed.xml", StoryFeed("label"), name="label_feed"),
    path("label/<str:slug>/atom.xml", StoryFeed("label", atom=True), name="label_feed_atom"),
    path("<str:desk_slug>/feed.xml", StoryFeed("desk"), name="desk_feed"),
    path("<str:desk_slug>/atom.xml", StoryFeed("desk", atom=True), name="desk_feed_atom"),
    path("<str:desk_slug>/", views.desk, name="desk"),
    path("<str:desk_slug>/<str:slug>/", views.story, name="story"),
    # Readers' error reports (masthead/sourcing/report_views.py): never cached.
    path(
        "<str:desk_slug>/<str:slug>/report-error/",
        report_views.report_error,
        name="report_error",
    ),
    path(
        "<str:desk_slug>/<str:slug>/report-error/thanks/",
        report_views.report_error_thanks,
        name="report_error_thanks",
    ),
]
