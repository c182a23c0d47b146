"""Who may manage whose account on the staff pages, and what a change leaves behind.

The rule (docs/back-office.md, "Staff accounts"): an account is managed only by
someone who could have given it every power it holds — superusers only by
superusers, chief editors only by an administrator who is chief editor too —
and nobody raises their own roles. Each cell below goes through HTTP, as a
browser or a crafted request would, and checks the rows left behind.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from masthead.factories import grant, make_staff, make_user
from masthead.newsroom.models import AuditEvent, StaffRole

pytestmark = pytest.mark.django_db

R = StaffRole.Role
User = get_user_model()

# Every account of the table, and the roles it holds.
ACCOUNTS = ["superuser", "admin_chief", "admin", "other_admin", "chief", "editor", "writer"]
# Literal on purpose: which accounts each actor may open, change, deactivate and reactivate.
MAY_MANAGE = {
    "superuser": {"superuser", "admin_chief", "admin", "other_admin", "chief", "editor", "writer"},
    "admin_chief": {"admin_chief", "admin", "other_admin", "chief", "editor", "writer"},
    "admin": {"admin", "other_admin", "editor", "writer"},
    "other_admin": {"admin", "other_admin", "editor", "writer"},
    "chief": set(),
    "editor": set(),
    "writer": set(),
}
CELLS = [
    (actor, target, target in MAY_MANAGE[actor])
    for actor in ACCOUNTS
    for target in ACCOUNTS
    if actor != target
]
# Why a refused administrator is refused, as the page says it.
CHIEF_ONLY = "Only a superuser, or an administrator who is chief editor, can"
REASONS = {
    "superuser": "Only a superuser can change a superuser’s account.",
    "chief": f"{CHIEF_ONLY} change this account",
    "admin_chief": f"{CHIEF_ONLY} change this account",
}


@pytest.fixture
def accounts(desk, other_desk):
    def email(name):
        return f"{name.replace('_', '.')}@newsroom.example"

    made = {
        "superuser": make_user(
            "root", is_superuser=True, is_staff=True, email=email("root"), first_name="Root"
        ),
        "admin_chief": make_staff(R.ADMINISTRATOR, None, "admin_chief", email=email("ac")),
        "admin": make_staff(R.ADMINISTRATOR, None, "admin", email=email("admin")),
        "other_admin": make_staff(R.ADMINISTRATOR, None, "other_admin", email=email("oa")),
        "chief": make_staff(R.CHIEF_EDITOR, None, "chief", email=email("chief")),
        "editor": make_staff(R.DESK_EDITOR, desk, "editor", email=email("editor")),
        "writer": make_staff(R.WRITER, desk, "writer", email=email("writer")),
    }
    grant(made["admin_chief"], R.CHIEF_EDITOR)
    grant(made["writer"], R.WRITER, other_desk)
    return made


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def roles_of(user) -> list[tuple[str, int | None]]:
    return sorted(
        StaffRole.objects.filter(user=user).values_list("role", "desk_id"),
        key=lambda pair: (pair[0], pair[1] or 0),
    )


def profile_form(user, **changes) -> dict:
    """What the edit page posts back for ``user`` unchanged, with ``changes`` on top."""
    data = {
        "full_name": user.get_full_name() or user.username,
        "email": user.email,
        "job_title": "",
    }
    for role, desk_id in roles_of(user):
        if desk_id:
            data[f"desk_{desk_id}"] = role
        else:
            data[role] = "on"
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def audit_rows(target) -> list[str]:
    return list(AuditEvent.objects.filter(target_id=target.pk).values_list("action", flat=True))


# The matrix ------------------------------------------------------------------------


@pytest.mark.parametrize(("actor", "target", "allowed"), CELLS)
def test_the_edit_page_shows_a_form_only_for_accounts_the_actor_may_manage(
    accounts, actor, target, allowed
):
    person = accounts[target]

    response = signed_in(accounts[actor]).get(f"/desk/staff/{person.pk}/")

    page = response.content.decode()
    assert response.status_code == (200 if allowed else 403)
    assert ('name="email"' in page) is allowed
    assert (person.email in page) is allowed
    if not allowed and actor in MAY_MANAGE and MAY_MANAGE[actor] and target in REASONS:
        assert REASONS[target] in page


@pytest.mark.parametrize(("actor", "target", "allowed"), CELLS)
def test_a_new_email_is_kept_only_where_the_actor_may_manage(
    accounts, django_capture_on_commit_callbacks, actor, target, allowed
):
    person = accounts[target]
    old_email = person.email

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(accounts[actor]).post(
            f"/desk/staff/{person.pk}/", profile_form(person, email="taken.over@evil.example")
        )

    person.refresh_from_db()
    assert response.status_code == (302 if allowed else 403)
    assert person.email == ("taken.over@evil.example" if allowed else old_email)
    assert ("staff_email" in audit_rows(person)) is allowed
    assert [m.to for m in mail.outbox] == ([[old_email]] if allowed else [])


@pytest.mark.parametrize(("actor", "target", "allowed"), CELLS)
def test_deactivation_goes_through_only_where_the_actor_may_manage(
    accounts, actor, target, allowed
):
    person = accounts[target]

    response = signed_in(accounts[actor]).post(f"/desk/staff/{person.pk}/active/", {"active": "0"})

    person.refresh_from_db()
    assert response.status_code == (302 if allowed else 403)
    assert person.is_active is not allowed
    assert ("staff_deactivate" in audit_rows(person)) is allowed


@pytest.mark.parametrize(("actor", "target", "allowed"), CELLS)
def test_reactivation_goes_through_only_where_the_actor_may_manage(
    accounts, actor, target, allowed
):
    person = accounts[target]
    User.objects.filter(pk=person.pk).update(is_active=False)

    response = signed_in(accounts[actor]).post(f"/desk/staff/{person.pk}/active/", {"active": "1"})

    person.refresh_from_db()
    assert response.status_code == (302 if allowed else 403)
    assert person.is_active is allowed


@pytest.mark.parametrize(("actor", "target", "allowed"), CELLS)
def test_roles_change_only_where_the_actor_may_manage(
    accounts, desk, other_desk, actor, target, allowed
):
    person = accounts[target]
    before = roles_of(person)
    changes = {f"desk_{other_desk.pk}": "desk_editor"}

    response = signed_in(accounts[actor]).post(
        f"/desk/staff/{person.pk}/", profile_form(person, **changes)
    )

    assert response.status_code == (302 if allowed else 403)
    assert (roles_of(person) != before) is allowed
    assert ("staff_roles" in audit_rows(person)) is allowed


@pytest.mark.parametrize("actor", ACCOUNTS)
def test_the_staff_list_offers_steps_only_on_accounts_the_actor_may_manage(accounts, actor):
    response = signed_in(accounts[actor]).get("/desk/staff/")

    if not MAY_MANAGE[actor]:
        assert response.status_code == 403
        return
    page = response.content.decode()
    for target in ACCOUNTS:
        person = accounts[target]
        if target == "superuser":
            continue  # no staff role: not listed
        editable = f'href="/desk/staff/{person.pk}/"' in page
        switchable = f'action="/desk/staff/{person.pk}/active/"' in page
        assert editable is (target in MAY_MANAGE[actor]), target
        assert switchable is (target in MAY_MANAGE[actor] and target != actor), target


# Granting roles ----------------------------------------------------------------------


GRANTS = [
    # actor, the role asked for (outlet-wide, or on a desk), allowed
    ("admin", "chief_editor", False),
    ("admin", "administrator", True),
    ("admin", "desk_editor", True),
    ("admin", "writer", True),
    ("admin_chief", "chief_editor", True),
    ("superuser", "chief_editor", True),
]


def _asked(role: str, desk) -> dict:
    return {f"desk_{desk.pk}": role} if role in ("writer", "desk_editor") else {role: "on"}


@pytest.mark.parametrize(("actor", "role", "allowed"), GRANTS)
def test_an_actor_grants_only_roles_they_could_hold_over(
    accounts, other_desk, actor, role, allowed
):
    person = accounts["editor"]

    response = signed_in(accounts[actor]).post(
        f"/desk/staff/{person.pk}/", profile_form(person, **_asked(role, other_desk))
    )

    held = {name for name, _ in roles_of(person)}
    assert response.status_code == (302 if allowed else 403)
    assert (role in held) is allowed
    if not allowed:
        assert f"{CHIEF_ONLY} make someone chief editor" in response.content.decode()


@pytest.mark.parametrize(("actor", "role", "allowed"), GRANTS)
def test_a_new_account_gets_only_roles_the_actor_could_hold_over(
    accounts, other_desk, actor, role, allowed
):
    response = signed_in(accounts[actor]).post(
        "/desk/staff/new/",
        {
            "username": "newcomer",
            "full_name": "New Comer",
            "email": "newcomer@newsroom.example",
            "password": "a long enough passphrase 2026",
            **_asked(role, other_desk),
        },
    )

    assert response.status_code == (302 if allowed else 403)
    assert User.objects.filter(username="newcomer").exists() is allowed


@pytest.mark.parametrize(
    ("actor", "role"),
    [
        ("admin", "chief_editor"),
        ("admin", "desk_editor"),
        ("admin", "writer"),
        ("admin_chief", "desk_editor"),
    ],
)
def test_nobody_raises_their_own_roles(accounts, other_desk, actor, role):
    me = accounts[actor]
    before = roles_of(me)

    response = signed_in(me).post(
        f"/desk/staff/{me.pk}/", profile_form(me, **_asked(role, other_desk))
    )

    assert response.status_code == 403
    assert roles_of(me) == before
    assert "staff_roles" not in audit_rows(me)


def test_an_administrator_may_still_lower_their_own_roles(accounts, desk):
    me = accounts["admin_chief"]

    response = signed_in(me).post(f"/desk/staff/{me.pk}/", profile_form(me, chief_editor=None))

    assert response.status_code == 302
    assert roles_of(me) == [("administrator", None)]


def test_the_form_says_which_roles_the_actor_cannot_grant(accounts):
    page = signed_in(accounts["admin"]).get(f"/desk/staff/{accounts['writer'].pk}/")

    chief_box = re.search(r'<input[^>]*name="chief_editor"[^>]*>', page.content.decode()).group(0)
    assert "disabled" in chief_box
    assert f"{CHIEF_ONLY} make someone chief editor" in page.content.decode()


# The take-over of issue 9 -----------------------------------------------------------


def test_an_administrator_cannot_take_over_the_superuser(accounts, client):
    admin, root = signed_in(accounts["admin"]), accounts["superuser"]

    assert admin.get(f"/desk/staff/{root.pk}/").status_code == 403
    changed = admin.post(
        f"/desk/staff/{root.pk}/", profile_form(root, email="mallory@evil.example")
    )
    client.post("/account/password/reset/", {"email": "mallory@evil.example"})
    deactivated = admin.post(f"/desk/staff/{root.pk}/active/", {"active": "0"})
    promoted = admin.post(
        f"/desk/staff/{accounts['admin'].pk}/",
        profile_form(accounts["admin"], chief_editor="on"),
    )

    root.refresh_from_db()
    assert (changed.status_code, deactivated.status_code, promoted.status_code) == (403,) * 3
    assert root.email == "root@newsroom.example" and root.is_active
    assert mail.outbox == []
    assert "chief_editor" not in {role for role, _ in roles_of(accounts["admin"])}


# What a change leaves behind ------------------------------------------------------


def test_an_email_change_is_audited_old_to_new_and_the_owner_is_told(
    accounts, django_capture_on_commit_callbacks
):
    writer = accounts["writer"]

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(accounts["admin"]).post(
            f"/desk/staff/{writer.pk}/",
            profile_form(writer, email="nima.new@newsroom.example"),
            follow=True,
        )

    event = AuditEvent.objects.get(action="staff_email", target_id=writer.pk)
    assert event.actor == accounts["admin"]
    assert event.note == "writer@newsroom.example → nima.new@newsroom.example"
    assert event.detail["before"] == "writer@newsroom.example"
    assert event.detail["after"] == "nima.new@newsroom.example"
    [notice] = mail.outbox
    assert notice.to == ["writer@newsroom.example"]
    assert "nima.new@newsroom.example" in notice.body
    assert "admin" in notice.body
    assert "writer@newsroom.example" in response.content.decode()  # the page says who was told


def test_the_notice_speaks_the_language_of_the_interface_that_made_the_change(
    accounts, django_capture_on_commit_callbacks, settings
):
    writer = accounts["writer"]
    admin = signed_in(accounts["admin"])
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"

    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/desk/staff/{writer.pk}/", profile_form(writer, email=""))

    [notice] = mail.outbox
    assert notice.subject.startswith("نشانی ایمیل حساب شما")
    assert "به دست admin تغییر کرد" in notice.body
    assert "از writer@newsroom.example" in notice.body
    assert "به   (بی‌نشانی)" in notice.body
    assert "Password-reset" not in notice.body


def test_no_notice_when_the_email_stays_the_same(accounts, django_capture_on_commit_callbacks):
    writer = accounts["writer"]

    with django_capture_on_commit_callbacks(execute=True):
        signed_in(accounts["admin"]).post(
            f"/desk/staff/{writer.pk}/", profile_form(writer, job_title="Reporter")
        )

    assert mail.outbox == []
    assert "staff_email" not in audit_rows(writer)


def test_a_refused_role_change_keeps_the_profile_as_it_was(accounts, other_desk):
    me = accounts["admin"]

    signed_in(me).post(
        f"/desk/staff/{me.pk}/",
        profile_form(me, email="me.new@newsroom.example", **{f"desk_{other_desk.pk}": "writer"}),
    )

    me.refresh_from_db()
    assert me.email == "admin@newsroom.example"
    assert audit_rows(me) == []


# Sessions ----------------------------------------------------------------------------


def test_deactivation_ends_every_session_and_reactivation_does_not_bring_them_back(accounts):
    writer = accounts["writer"]
    laptop, phone = signed_in(writer), signed_in(writer)
    admin = signed_in(accounts["admin"])
    assert laptop.get("/desk/").status_code == phone.get("/desk/").status_code == 200

    admin.post(f"/desk/staff/{writer.pk}/active/", {"active": "0"})
    admin.post(f"/desk/staff/{writer.pk}/active/", {"active": "1"})

    for session in (laptop, phone):
        response = session.get("/desk/")
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/")
    assert signed_in(writer).get("/desk/").status_code == 200  # signing in again works


def test_deactivation_leaves_other_accounts_signed_in(accounts):
    editor = signed_in(accounts["editor"])

    signed_in(accounts["admin"]).post(
        f"/desk/staff/{accounts['writer'].pk}/active/", {"active": "0"}
    )

    assert editor.get("/desk/").status_code == 200


# A desk editor and the roles of others (RELIABILITY.md A2) --------------------------


@pytest.mark.parametrize(
    ("target", "asked"),
    [
        ("editor", "desk_editor"),  # themselves, on another desk
        ("editor", "writer"),  # themselves, writing for another desk
        ("editor", "chief_editor"),  # themselves, above their own role
        ("editor", "administrator"),
        ("writer", "desk_editor"),  # someone else, to their own level
        ("writer", "chief_editor"),
    ],
)
def test_a_desk_editor_grants_nothing_not_even_to_themselves(accounts, other_desk, target, asked):
    editor, person = accounts["editor"], accounts[target]
    before, others_before = roles_of(person), roles_of(editor)
    client = signed_in(editor)

    changed = client.post(
        f"/desk/staff/{person.pk}/", profile_form(person, **_asked(asked, other_desk))
    )
    made = client.post(
        "/desk/staff/new/",
        {
            "username": "accomplice",
            "full_name": "Accom Plice",
            "email": "accomplice@newsroom.example",
            "password": "a long enough passphrase 2026",
            **_asked(asked, other_desk),
        },
    )

    assert (changed.status_code, made.status_code) == (403, 403)
    assert roles_of(person) == before and roles_of(editor) == others_before
    assert not User.objects.filter(username="accomplice").exists()
    assert "staff_roles" not in audit_rows(person)


def test_staff_without_superuser_cannot_read_or_revoke_tokens(accounts):
    """Tokens are listed and revoked in the superusers' admin alone; no staff page shows one."""
    from masthead.api.models import ApiToken
    from masthead.api.services import issue_token

    token = issue_token(accounts["writer"], "the writer's script").token
    for name in ("editor", "chief", "admin", "admin_chief"):
        client = signed_in(accounts[name])
        listing = client.get("/admin/api/apitoken/")
        assert listing.status_code == 302 and "/admin/login/" in listing["Location"], name
        revoke = client.post(
            "/admin/api/apitoken/",
            {"action": "revoke", "_selected_action": [token.pk]},
        )
        assert revoke.status_code == 302 and "/admin/login/" in revoke["Location"], name
        assert (
            token.hint not in client.get(f"/desk/staff/{accounts['writer'].pk}/").content.decode()
        )
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_a_lowered_role_counts_from_the_next_request_of_a_signed_in_session(accounts, desk):
    """Permissions are read per request, not kept in the session or in a token."""
    from masthead.api.services import issue_token
    from masthead.factories import make_story
    from masthead.stories.models import Story

    editor = accounts["editor"]
    story = make_story("In the works", desk=desk, status=Story.Status.SUBMITTED, age=None)
    client = signed_in(editor)
    bearer = {"Authorization": f"Bearer {issue_token(editor, 'script').raw}"}
    assert client.get(f"/desk/stories/{story.pk}/").status_code == 200
    assert client.get(f"/api/desk/stories/{story.pk}", headers=bearer).status_code == 200
    assert client.get("/desk/audit/").status_code == 200

    # An administrator lowers the editor to writer on the same desk.
    response = signed_in(accounts["admin"]).post(
        f"/desk/staff/{editor.pk}/", profile_form(editor, **{f"desk_{desk.pk}": "writer"})
    )
    assert response.status_code == 302
    assert roles_of(editor) == [("writer", desk.pk)]

    # The same session and the same token, on their next request.
    assert client.get(f"/desk/stories/{story.pk}/").status_code == 404
    assert client.get(f"/api/desk/stories/{story.pk}", headers=bearer).status_code == 404
    assert client.get("/desk/audit/").status_code == 403
    claimed = client.post(f"/desk/stories/{story.pk}/step/", {"action": "claim"})
    assert claimed.status_code == 404
    assert Story.objects.get(pk=story.pk).status == Story.Status.SUBMITTED
