"""Who is calling the staff API: ``Authorization: Bearer <token>``.

A token acts as its account; what the account may do is decided by the
same permission checks the back office goes through (the story services),
not here. Each token is rate limited on its own (``API_RATE_LIMIT``).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from masthead.api.rate_limits import configured_rates, hit
from masthead.api.services import note_use, token_for


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        api_token = token_for(token.strip())
        if api_token is None:
            request.api_token_rejected = True
            return None
        hit("token", api_token.token_digest[:24], configured_rates()[0])
        note_use(api_token)
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user
