"""The back office's sourcing pages: the rules, approvals, and refusals shown on the editor."""

from __future__ import annotations

import json

import pytest

from masthead.backoffice.tests.editor_posts import form_data
from masthead.newsroom.models import AuditEvent, PolicyPage
from masthead.sourcing.kinds import is_approved
from masthead.sourcing.models import SourcingRule
from masthead.sourcing.tests.helpers import UNNAMED, in_edit, latest_sources
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db

RULES_URL = "/desk/sourcing/rules/"


def approve_url(story, source_id="u1") -> str:
    return f"/desk/stories/{story.pk}/sources/{source_id}/approve/"


def withdraw_url(story, source_id="u1") -> str:
    return f"/desk/stories/{story.pk}/sources/{source_id}/withdraw-approval/"


@pytest.fixture
def policy():
    return PolicyPage.objects.create(
        kind=PolicyPage.Kind.UNNAMED_SOURCES, title="Unnamed sources", slug="unnamed-sources"
    )


def rules_post(**changes) -> dict:
    data = {
        "unnamed_needs_approval-is_enforced": "on",
        "unnamed_needs_approval-policy_page": "",
        "allegation_needs_response-is_enforced": "on",
        "allegation_needs_response-policy_page": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize(("who", "status"), [("chief", 200), ("admin", 200)])
def test_chief_editors_and_administrators_see_the_rules(client_for, people, who, status, policy):
    response = client_for(who).get(RULES_URL)

    assert response.status_code == status
    page = response.content.decode()
    assert "An unnamed source needs an editor&#x27;s approval" in page
    assert "unnamed_needs_approval" in page
    assert "/policies/unnamed-sources/" in page


@pytest.mark.parametrize("who", ["writer", "editor", "other_editor"])
def test_others_may_neither_see_nor_change_the_rules(client_for, people, who):
    client = client_for(who)
    assert client.get(RULES_URL).status_code == 403
    response = client.post(RULES_URL, rules_post(**{"unnamed_needs_approval-is_enforced": None}))
    assert response.status_code == 403
    assert not SourcingRule.objects.exists()


def test_a_reader_without_a_role_is_refused_and_a_stranger_sent_to_log_in(client, client_for):
    assert client_for("reader").get(RULES_URL).status_code == 403
    assert client.get(RULES_URL).status_code == 302


def test_switching_a_rule_off_and_naming_its_page(client_for, people, policy):
    response = client_for("chief").post(
        RULES_URL,
        rules_post(
            **{
                "unnamed_needs_approval-is_enforced": None,
                "unnamed_needs_approval-policy_page": str(policy.pk),
            }
        ),
    )

    assert response.status_code == 302
    rule = SourcingRule.objects.get(code="unnamed_needs_approval")
    assert (rule.is_enforced, rule.policy_page) == (False, policy)
    assert SourcingRule.objects.get(code="allegation_needs_response").is_enforced is True
    assert AuditEvent.objects.filter(action="sourcing_rule", actor=people["chief"]).count() == 2


@pytest.mark.parametrize(
    "page", ["999999", "-1", "abc", "1 OR 1=1", "<script>", "\u202e1", "1" * 400]
)
def test_a_policy_page_that_is_not_one_is_refused(client_for, people, page):
    response = client_for("chief").post(
        RULES_URL, rules_post(**{"unnamed_needs_approval-policy_page": page})
    )

    assert response.status_code == 400
    assert not SourcingRule.objects.exists()


# Approvals on the story page ------------------------------------------------------------


def test_the_editor_page_lists_unnamed_sources_with_an_approve_control(client_for, people, desk):
    story = in_edit(people["editor"], desk, UNNAMED)

    page = client_for("editor").get(f"/desk/stories/{story.pk}/").content.decode()

    assert 'id="source-approvals"' in page
    assert "two US officials" in page
    assert "Met them at the embassy" in page  # staff only, and this is the back office
    assert "Not approved" in page
    assert approve_url(story) in page


def test_a_writer_sees_the_sources_but_no_control(client_for, people, desk):
    from masthead.sourcing.tests.helpers import content
    from masthead.stories import services

    story = services.create_story(people["writer"], content(desk, UNNAMED))

    page = client_for("writer").get(f"/desk/stories/{story.pk}/").content.decode()
    assert "Not approved" in page
    assert approve_url(story) not in page
    response = client_for("writer").post(approve_url(story), {"reason": "Trust me."})
    assert response.status_code == 403
    assert "approval" not in latest_sources(story)[0]


def test_an_editor_approves_and_withdraws_through_the_page(client_for, people, desk):
    story = in_edit(people["editor"], desk, UNNAMED)
    client = client_for("editor")

    response = client.post(approve_url(story), {"reason": "Known to our bureau chief."})
    assert response.status_code == 302
    assert is_approved(latest_sources(story)[0])
    page = client.get(f"/desk/stories/{story.pk}/").content.decode()
    assert "Approved by" in page and "Known to our bureau chief." in page

    client.post(withdraw_url(story), {"reason": "Recanted."})
    assert "approval" not in latest_sources(story)[0]


@pytest.mark.parametrize("reason", ["", "   ", "x" * 301, "\x00nul"])
def test_an_empty_overlong_or_nul_reason_approves_nothing(client_for, people, desk, reason):
    story = in_edit(people["editor"], desk, UNNAMED)

    response = client_for("editor").post(approve_url(story), {"reason": reason})

    assert response.status_code == 302
    assert "approval" not in latest_sources(story)[0]


def test_markup_and_bidi_controls_in_a_reason_are_cleaned_and_escaped(client_for, people, desk):
    story = in_edit(people["editor"], desk, UNNAMED)
    client = client_for("editor")

    client.post(approve_url(story), {"reason": "<script>alert(1)</script>\u202e ok"})

    assert latest_sources(story)[0]["approval"]["reason"] == "<script>alert(1)</script> ok"
    page = client.get(f"/desk/stories/{story.pk}/").content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; ok" in page


@pytest.mark.parametrize("source_id", ["nope", "o1", "u1%00", "..%2F..", "u" * 200])
def test_approving_a_source_that_is_not_there_changes_nothing(client_for, people, desk, source_id):
    story = in_edit(people["editor"], desk, UNNAMED)
    before = Story.objects.get(pk=story.pk).latest_revision_id

    response = client_for("editor").post(approve_url(story, source_id), {"reason": "Reason."})

    assert response.status_code in (302, 404)
    assert Story.objects.get(pk=story.pk).latest_revision_id == before


def test_an_editor_of_another_desk_cannot_reach_the_story(client_for, people, desk):
    story = in_edit(people["editor"], desk, UNNAMED)

    response = client_for("other_editor").post(approve_url(story), {"reason": "Reason."})

    assert response.status_code == 404  # a story in the works of another desk: as if none
    assert "approval" not in latest_sources(story)[0]


def test_get_is_not_allowed(client_for, people, desk):
    story = in_edit(people["editor"], desk, UNNAMED)
    assert client_for("editor").get(approve_url(story)).status_code == 405


# Forging and refusals through the editor form ---------------------------------------


def test_the_editor_form_cannot_forge_an_approval(client_for, people, desk):
    story = in_edit(people["editor"], desk, UNNAMED)
    forged = [dict(UNNAMED, approval={"by_id": people["chief"].pk, "reason": "Forged."})]

    client_for("editor").post(
        f"/desk/stories/{story.pk}/",
        form_data(
            Story.objects.get(pk=story.pk),
            headline="Changed headline",
            sources=json.dumps(forged),
            approval=json.dumps(forged[0]["approval"]),
            **{"sources-0-approval": "Forged.", "sources-0-approval-by_id": people["chief"].pk},
        ),
    )

    story.refresh_from_db()
    assert story.latest_revision.headline == "Changed headline"
    assert not any("approval" in source for source in story.latest_revision.sources)


def test_a_refused_publish_shows_the_rule_on_the_page(client_for, people, desk, policy):
    story = in_edit(people["editor"], desk, UNNAMED)

    response = client_for("editor").post(
        f"/desk/stories/{story.pk}/step/", {"action": "publish", "note": ""}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "The workflow step was not taken" in page
    assert "An unnamed source needs an editor&#x27;s approval" in page
    assert "(unnamed_needs_approval)" in page
    assert "/policies/unnamed-sources/" in page
    story.refresh_from_db()
    assert story.status == Story.Status.IN_EDIT
