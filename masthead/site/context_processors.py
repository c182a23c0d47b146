from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from masthead.site.editions import edition_of
from masthead.site.selectors import nav_desks, outlet_of, published_policies


def outlet(request) -> dict:
    """The outlet, the request's edition, its desks and the policy pages, which every public
    page's header and footer show.

    All lazy: a page whose header and footer come from shared fragments
    (``site/fragments.py``) reads none of them; the others read them from the
    cache of the current ``site`` version, not from the database.
    """
    edition = SimpleLazyObject(lambda: edition_of(request))
    return {
        # Its language, direction, calendar and zone shape every page (site/editions.py).
        "edition": edition,
        "outlet": SimpleLazyObject(lambda: outlet_of(request)),
        "nav_desks": SimpleLazyObject(lambda: nav_desks(request)),
        "policy_pages": SimpleLazyObject(lambda: published_policies(request)),
        "outlet_time_zone": SimpleLazyObject(lambda: edition.zone_name),
    }
