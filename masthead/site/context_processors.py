from __future__ import annotations

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from masthead.site.selectors import nav_desks, outlet_of, published_policies


def outlet(request) -> dict:
    """The outlet, its desks and policy pages, which every public page's header and footer show.

    All lazy: a page whose header and footer come from shared fragments
    (``site/fragments.py``) reads none of them; the others read them from the
    cache of the current ``site`` version, not from the database.
    """
    return {
        "outlet": SimpleLazyObject(lambda: outlet_of(request)),
        "nav_desks": SimpleLazyObject(lambda: nav_desks(request)),
        "policy_pages": SimpleLazyObject(lambda: published_policies(request)),
        "outlet_time_zone": settings.TIME_ZONE,
    }
