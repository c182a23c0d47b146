from __future__ import annotations

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from masthead.newsroom.models import Desk
from masthead.site.selectors import outlet_of, published_policies


def outlet(request) -> dict:
    """The outlet, its desks and policy pages, which every public page's header and footer show."""
    return {
        "outlet": outlet_of(request),
        "nav_desks": Desk.objects.all(),
        "policy_pages": SimpleLazyObject(lambda: published_policies(request)),
        "outlet_time_zone": settings.TIME_ZONE,
    }
