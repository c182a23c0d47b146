"""What an import did, post by post, in words an operator can act on.

Outcomes are streamed to the caller as they happen (a large export has
hundreds of thousands of posts: the report keeps counts and the lists of
what was created, not every line).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field


class Action:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    KEPT = "kept"  # changed in Masthead since the last import: not overwritten
    SKIPPED = "skipped"  # not a story, or not importable as it stands
    FAILED = "failed"  # refused while storing; nothing of it was kept

    ORDER = (CREATED, UPDATED, UNCHANGED, KEPT, SKIPPED, FAILED)


@dataclass
class PostOutcome:
    post_id: str
    title: str
    action: str
    reasons: list[str] = field(default_factory=list)  # why skipped/failed, or warnings
    story_id: int | None = None
    status: str = ""  # the story's Masthead state
    address: str = ""  # the story's public address (whether or not it is live yet)
    old_addresses: list[str] = field(default_factory=list)

    def line(self) -> str:
        head = f"{self.action:<9} post {self.post_id or '?'}"
        title = f" “{self.title[:70]}”" if self.title else ""
        where = f" → {self.address} ({self.status})" if self.address else ""
        why = "".join(f"\n            {reason}" for reason in self.reasons)
        return f"{head}{title}{where}{why}"

    def as_json(self) -> str:
        return json.dumps({"type": "post", **asdict(self)}, ensure_ascii=False)


@dataclass
class ImportReport:
    path: str
    dry_run: bool = False
    site: str = ""
    wxr_version: str = ""
    error: str = ""  # the whole export was refused: nothing stored
    counts: Counter = field(default_factory=Counter)
    not_posts: Counter = field(default_factory=Counter)  # item types left aside, by type
    desks_created: list[str] = field(default_factory=list)
    authors_created: list[str] = field(default_factory=list)
    tags_created: int = 0
    images_stored: int = 0

    @property
    def ok(self) -> bool:
        return not self.error and not self.counts[Action.FAILED]

    def summary(self) -> dict:
        return {
            "type": "summary",
            "file": self.path,
            "dry_run": self.dry_run,
            "site": self.site,
            "wxr_version": self.wxr_version,
            "error": self.error,
            "posts": {action: self.counts[action] for action in Action.ORDER},
            "not_posts": dict(sorted(self.not_posts.items())),
            "desks_created": self.desks_created,
            "authors_created": self.authors_created,
            "tags_created": self.tags_created,
            "images_stored": self.images_stored,
        }

    def summary_text(self) -> str:
        if self.error:
            return f"Refused {self.path}: {self.error}. Nothing was imported."
        verb = "Would import" if self.dry_run else "Imported"
        posts = ", ".join(f"{self.counts[action]} {action}" for action in Action.ORDER)
        lines = [f"{verb} {self.path} (WordPress {self.site}, WXR {self.wxr_version}): {posts}."]
        if self.not_posts:
            left = ", ".join(f"{count} {kind}" for kind, count in sorted(self.not_posts.items()))
            lines.append(f"Not stories, left aside: {left}.")
        if self.desks_created:
            lines.append(f"New desks: {', '.join(self.desks_created)}.")
        if self.authors_created:
            lines.append(f"New authors: {', '.join(self.authors_created)}.")
        lines.append(f"New tags: {self.tags_created}. Images stored: {self.images_stored}.")
        if self.dry_run:
            lines.append("Dry run: nothing was stored.")
        return "\n".join(lines)
