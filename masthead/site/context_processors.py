from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from masthead.site.editions import edition_of
from masthead.site.selectors import (
    nav_desks,
    outlet_of,
    published_policies,
    site_name,
    site_tagline,
)


def outlet(request) -> dict:
    """The outlet, the request's edition (its name and tagline), its desks and its policy
    pages, which every public page's header and footer show.

    All lazy: a page whose header and footer come from shared fragments
    (``site/fragments.py``) reads none of them; the others read them from the
    cache of the current ``site`` version, not from the database.
    """
    edition = SimpleLazyObject(lambda: edition_of(request))
    return {
        # Its language, direction, calendar and zone shape every page (site/editions.py).
        "edition": edition,
        "outlet": SimpleLazyObject(lambda: outlet_of(request)),
        # The edition's name and tagline, in its language (the outlet's for the default).
        "site_name": SimpleLazyObject(lambda: site_name(request)),
        "site_tagline": SimpleLazyObject(lambda: site_tagline(request)),
        "nav_desks": SimpleLazyObject(lambda: nav_desks(request)),
        "policy_pages": SimpleLazyObject(lambda: published_policies(request)),
        "outlet_time_zone": SimpleLazyObject(lambda: edition.zone_name),
    }
