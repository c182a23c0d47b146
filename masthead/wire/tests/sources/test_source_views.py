"""The wire source pages over HTTP: who sees and does what, and what they see."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_smoke_list_and_edit(client_for, source):
    client = client_for("editor")
    response = client.get("/desk/wire/sources/")
    assert response.status_code == 200, response.content
    assert b"Reuters World" in response.content
    response = client.get(f"/desk/wire/sources/{source.pk}/")
    assert response.status_code == 200, response.content
    response = client.get("/desk/wire/sources/new/")
    assert response.status_code == 200, response.content
