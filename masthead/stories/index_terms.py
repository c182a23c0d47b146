"""Query terms written so that an index can serve them, on SQLite as on PostgreSQL.

SQLite's planner reads the SQL it is given, not the values bound to it, and
steers by the shape of each term (https://sqlite.org/optoverview.html):

- ``Constants``: ``column IN ('a', 'b')`` with the values in the SQL. A
  partial index (``WHERE status IN ('published', 'scheduled')``) serves a
  query only if the query holds that very term; bound as parameters, SQLite
  cannot tell it does (https://sqlite.org/partialindex.html, §3), and every
  public list sorted every public story instead of walking the index newest
  first (80 ms a list at 100,000 stories).
- ``Unindexed``: ``+column``, a term no index can serve, so the planner takes
  the index of the query's other terms (SQLite's documented way to steer it).

PostgreSQL reads ``+column`` as SQLite does. Its partial indexes ask the
same of a query ("parameterized query clauses do not work with a partial
index", https://www.postgresql.org/docs/current/indexes-partial.html), and
Masthead prepares its statements on the server (``server_side_binding``):
once PostgreSQL settles on a generic plan for one, only values written into
the SQL let that plan use the public indexes.
"""

from __future__ import annotations

import re

from django.db.models import Func, IntegerField
from django.db.models.lookups import In

# Only values the code holds, never a reader's: they are written into the SQL.
CONSTANT = re.compile(r"[a-z_]{1,32}")


class Constants(In):
    """``lhs IN ('a', 'b')``, the values (code constants, checked) written into the SQL."""

    def __init__(self, lhs, values) -> None:
        values = tuple(str(value) for value in values)
        if not values or not all(CONSTANT.fullmatch(value) for value in values):
            raise ValueError(f"Constants takes lower-case words only, not {values!r}")
        super().__init__(lhs, values)

    def process_rhs(self, compiler, connection) -> tuple[str, tuple]:
        return "(" + ", ".join(f"'{value}'" for value in self.rhs) + ")", ()


class Unindexed(Func):
    """A column as a term no index can serve (``+column``: unary plus, a no-op on
    numbers in SQLite and PostgreSQL alike), so the planner walks the index of
    the query's other terms instead."""

    template = "+%(expressions)s"
    output_field = IntegerField()
