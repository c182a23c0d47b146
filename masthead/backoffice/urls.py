from django.conf import settings
from django.urls import path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog

from masthead.backoffice import (
    developing_views,
    media_picker_views,
    media_views,
    search_views,
    sourcing_views,
    staff_views,
    tag_views,
    translation_views,
    views,
)

app_name = "backoffice"

urlpatterns = [
    # Signing in is the accounts app's (settings.LOGIN_URL): one door, throttled, with 2FA.
    path("login/", RedirectView.as_view(url=settings.LOGIN_URL, query_string=True), name="login"),
    # The words the back office's scripts write, in the staff member's language (docs/editions.md).
    path("jsi18n/", JavaScriptCatalog.as_view(), name="jsi18n"),
    path("", views.my_stories, name="mine"),
    path("board/", views.board, name="board"),
    path("search/", search_views.search, name="search"),
    path("audit/", views.audit_log, name="audit"),
    path("stories/new/", views.story_new, name="story_new"),
    path("stories/<int:story_id>/", views.story_edit, name="story"),
    path("stories/<int:story_id>/step/", views.step, name="step"),
    path("stories/<int:story_id>/autosave/", views.autosave, name="autosave"),
    path("stories/<int:story_id>/lock/", views.lock, name="lock"),
    path("stories/<int:story_id>/unlock/", views.unlock, name="unlock"),
    path("stories/<int:story_id>/slug/", views.change_slug, name="slug"),
    path(
        "stories/<int:story_id>/developing/",
        developing_views.set_developing,
        name="developing",
    ),
    path("stories/<int:story_id>/thread/", developing_views.set_thread, name="thread"),
    path("stories/<int:story_id>/translate/", translation_views.translate, name="translate"),
    path(
        "stories/<int:story_id>/translations/link/",
        translation_views.link,
        name="translation_link",
    ),
    path(
        "stories/<int:story_id>/translations/unlink/",
        translation_views.unlink,
        name="translation_unlink",
    ),
    path("stories/<int:story_id>/history/", views.history, name="history"),
    path(
        "stories/<int:story_id>/revisions/<int:revision_id>/restore/",
        views.restore,
        name="restore",
    ),
    path(
        "stories/<int:story_id>/revisions/<int:revision_id>/preview/",
        views.preview,
        name="preview",
    ),
    path("stories/<int:story_id>/previews/", views.share, name="share"),
    path(
        "stories/<int:story_id>/previews/<int:link_id>/revoke/",
        views.revoke_preview,
        name="revoke_preview",
    ),
    path(
        "stories/<int:story_id>/sources/<str:source_id>/approve/",
        sourcing_views.approve,
        name="source_approve",
    ),
    path(
        "stories/<int:story_id>/sources/<str:source_id>/withdraw-approval/",
        sourcing_views.withdraw,
        name="source_withdraw_approval",
    ),
    path("media/picker/", media_picker_views.picker, name="media_picker"),
    path("sourcing/rules/", sourcing_views.rules_page, name="sourcing_rules"),
    path("media/", media_views.library, name="media"),
    path("media/upload/", media_views.upload, name="media_upload"),
    path("media/<int:image_id>/", media_views.image_page, name="media_image"),
    path("media/<int:image_id>/focal-point/", media_views.focal_point, name="media_focal_point"),
    path("tags/", tag_views.tag_list, name="tags"),
    path("tags/<int:tag_id>/", tag_views.tag_edit, name="tag"),
    path("tags/<int:tag_id>/merge/", tag_views.tag_merge, name="tag_merge"),
    path("staff/", staff_views.staff_list, name="staff"),
    path("staff/new/", staff_views.staff_new, name="staff_new"),
    path("staff/<int:user_id>/", staff_views.staff_edit, name="staff_edit"),
    path("staff/<int:user_id>/active/", staff_views.staff_active, name="staff_active"),
    path("desks/", staff_views.desk_list, name="desks"),
    path("desks/new/", staff_views.desk_form, name="desk_new"),
    path("desks/<int:desk_id>/", staff_views.desk_form, name="desk_edit"),
]
