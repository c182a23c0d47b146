"""Who approved an unnamed source: only an editor's action writes it, no form nor API.

An approval (``{by_id, by_name, at, reason}`` on an unnamed source) lives in
the story's revisions with the source it approves. Every save of a story
passes ``stories.services._new_revision``, which calls ``carry`` with the
sources it was given and those of the story's latest revision:

* whatever the input says under ``approval`` is dropped (a form field, a JSON
  body, a restored or merged revision, wire copy: none can forge one);
* an unnamed source keeps the approval it had in the latest revision when it
  is the same source (same ``id``) and what was approved did not change
  (``SUBSTANCE``: how it is described, how many, why anonymity, how we know
  them); change any of those and the approval is gone, to be given again;
* ``decided`` (only ``sourcing.services.approve_source``/``withdraw_approval``
  pass it) sets or clears the approval of one source by id.

Restoring an old revision therefore never brings back an approval the latest
revision no longer has.
"""

from __future__ import annotations

from masthead.sourcing.kinds import APPROVAL

# What an editor approves when approving an unnamed source.
SUBSTANCE = ("description", "count", "anonymity_reason", "how_known")


def _substance(source: dict) -> tuple:
    return tuple(source.get(name) for name in SUBSTANCE)


def carry(previous, sources, decided: dict[str, dict | None] | None = None) -> list[dict]:
    """``sources`` with approvals as the latest revision (``previous``) and ``decided`` say."""
    before = {
        source.get("id"): source
        for source in previous or []
        if isinstance(source, dict) and source.get("kind") == "unnamed"
    }
    decided = decided or {}
    result = []
    for source in sources or []:
        source = {key: value for key, value in source.items() if key != APPROVAL}
        if source.get("kind") == "unnamed":
            if source["id"] in decided:
                approval = decided[source["id"]]
            else:
                old = before.get(source["id"])
                same = old is not None and _substance(old) == _substance(source)
                approval = old.get(APPROVAL) if same else None
            if approval:
                source[APPROVAL] = dict(approval)
        result.append(source)
    return result
