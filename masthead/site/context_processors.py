from __future__ import annotations

from django.conf import settings

from masthead.newsroom.models import Desk, Outlet


def outlet(request) -> dict:
    """The outlet and its desks, which every public page's header and footer show."""
    return {
        "outlet": Outlet.current(),
        "nav_desks": Desk.objects.all(),
        "outlet_time_zone": settings.TIME_ZONE,
    }
