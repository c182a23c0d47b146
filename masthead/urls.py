from django.conf import settings
from django.contrib import admin
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponsePermanentRedirect
from django.urls import include, path, re_path

from masthead import health
from masthead.site.media import serve_media
from masthead.wire import push


def favicon(request):
    return HttpResponsePermanentRedirect(staticfiles_storage.url("site/favicon.svg"))


urlpatterns = [
    # For load balancers and orchestrators (masthead/health.py).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    # Wire sources first: the wire queue (desk/wire/) and the back office (desk/) come after.
    path("desk/wire/sources/", include("masthead.wire.source_urls")),
    # The wire queue before the back office's own addresses (docs/wire-queue.md).
    path("desk/wire/", include("masthead.wire.urls")),
    # Readers' error reports, the desks' corrections queue (docs/corrections.md).
    path("desk/corrections/", include("masthead.sourcing.report_urls")),
    path("desk/", include("masthead.backoffice.urls")),
    path("account/", include("masthead.accounts.urls")),
    path("api/", include("masthead.api.urls")),
    # Agencies pushing copy, signed (masthead/wire/push.py).
    path("wire/push/<slug:slug>/", push.receive, name="wire-push"),
]
if settings.SERVE_MEDIA:
    # Uploaded files, each through the visibility rule (masthead/site/media.py).
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.append(re_path(rf"^{media_prefix}(?P<path>.*)$", serve_media))
if settings.DEMO_WIRE:
    from masthead.demo.wire import feed as demo_wire_feed

    urlpatterns.append(path("demo/wire/<slug:slug>/", demo_wire_feed))
urlpatterns += [
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", favicon),
    path("", include("masthead.site.urls")),
]

handler400 = "masthead.request_limits.bad_request"
handler404 = "masthead.site.views.page_not_found"
handler500 = "masthead.site.views.server_error"
