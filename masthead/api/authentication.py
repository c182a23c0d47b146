"""Who is calling the staff API: ``Authorization: Bearer <token>``.

A token acts as its account; what the account may do is decided by the
same permission checks the back office goes through (the story services),
not here. Each token is rate limited on its own (``API_RATE_LIMIT``).

Invalid tokens (unknown, expired, revoked, or of a deactivated account) are
throttled per client address like wrong passwords: after
``LOGIN_FAILURE_LIMIT`` of them in a ``LOGIN_COOLOFF_MINUTES`` window, every
token from that address is refused unchecked (429) until the window ends,
so guesses are not even looked up. The address is the sign-in throttle's
(``accounts.client_ip``: ``X-Forwarded-For`` only behind our own proxies);
other addresses, and their valid tokens, are not affected. A request with no
token at all guesses nothing and is not counted.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer

from masthead.accounts.client_ip import client_ip_address
from masthead.api.rate_limits import Rate, check, configured_rates, hit
from masthead.api.services import note_use, token_for

FAILURE_SCOPE = "invalid-token"


def token_failure_rate() -> Rate:
    """As many invalid tokens per address as wrong passwords per name and address."""
    return Rate(settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_COOLOFF_MINUTES * 60)


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        address = client_ip_address(request) or "unknown"
        failures = token_failure_rate()
        check(
            FAILURE_SCOPE,
            address,
            failures,
            detail="Too many invalid API tokens from your address: "
            "no token from it is checked until the pause ends.",
        )
        api_token = token_for(token.strip())
        if api_token is None:
            hit(FAILURE_SCOPE, address, failures)
            request.api_token_rejected = True
            return None
        hit("token", api_token.token_digest[:24], configured_rates()[0])
        note_use(api_token)
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user
