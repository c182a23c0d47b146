"""What the source tests share: the roles tried and a source factory."""

from __future__ import annotations

import itertools

from masthead.newsroom.models import StaffRole
from masthead.wire.models import Source

R = StaffRole.Role
_numbers = itertools.count(1)

# Everyone the matrix tries, and what they may do to a source of the Politics desk.
ROLES = (
    "admin",
    "chief",
    "editor",
    "other_editor",
    "writer",
    "other_writer",
    "reader",
    "anonymous",
)
MANAGERS = {"admin", "chief", "editor"}
VIEWERS = MANAGERS | {"writer"}


def make_source(desk, **fields) -> Source:
    number = next(_numbers)
    values = {
        "name": f"Agency feed {number}",
        "slug": f"agency-feed-{number}",
        "kind": Source.Kind.RSS,
        "provider": "Agency",
        "url": f"https://feeds.example.com/{number}.xml",
        "desk": desk,
        **fields,
    }
    return Source.objects.create(**values)
