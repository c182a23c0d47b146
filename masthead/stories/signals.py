"""Signals the story services send. Stories never import the apps that listen.

``story_changed(story_id, desk_id, action, scopes)``, after the transaction
commits, tells caches, feeds pings and webhooks that something readers can
see may have changed; ``scopes`` are the content versions the change bumped
(empty when nothing public changed).

``tags_rewritten(story_ids, note)``, inside the transaction, names the
stories whose tags a bulk change (a tag merge: SQL without per-row signals)
rewrote, for whatever keeps a copy of a story's words (the search index).
"""

from django.dispatch import Signal

story_changed = Signal()
tags_rewritten = Signal()
