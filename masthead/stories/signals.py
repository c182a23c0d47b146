"""Signals the story life cycle sends, after the transaction commits.

``story_changed(story_id, desk_id, action, scopes)`` tells caches, feeds
pings and webhooks that something readers can see may have changed;
``scopes`` are the content versions the change bumped (empty when nothing
public changed). Stories never import the apps that listen.
"""

from django.dispatch import Signal

story_changed = Signal()
