"""What the authenticator app reads: the otpauth:// address and its QR code."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from masthead.accounts import authenticator, services
from masthead.factories import make_outlet


@pytest.mark.django_db
def test_provisioning_uri_names_the_outlet_and_the_account(people):
    make_outlet(name="Iran: Front Page")
    device = services.start_authenticator(people["desk_editor"])

    uri = authenticator.provisioning_uri(device)

    parts = urlsplit(uri)
    query = parse_qs(parts.query)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert parts.path == "/Iran%20Front%20Page%3Aeditor"
    assert query["issuer"] == ["Iran Front Page"]
    assert query["secret"] == [authenticator.secret_base32(device)]
    assert (query["digits"], query["period"]) == (["6"], ["30"])
    assert authenticator.secret_for_typing(device).replace(" ", "") == query["secret"][0]


def test_qr_code_is_inline_svg_without_the_address_in_clear():
    svg = authenticator.qr_code_svg("otpauth://totp/X%3Ay?secret=ABCDEFGH&issuer=X")

    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "ABCDEFGH" not in svg and "<script" not in svg and "href" not in svg
