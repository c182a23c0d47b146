"""Headers every response carries that Django's SecurityMiddleware does not write.

``Permissions-Policy`` turns off the browser features a news site and its
back office never use (camera, microphone, location, motion sensors,
payment, USB), for the page and every frame in it, so a script that got in
(an embed, a compromised dependency) cannot ask for them. Django's own
middleware writes the rest: ``X-Content-Type-Options``, ``Referrer-Policy``,
``Cross-Origin-Opener-Policy``, HSTS behind TLS (settings.py, "Security");
django-csp writes the Content-Security-Policy and ``X-Frame-Options`` comes
from Django's clickjacking middleware. ``masthead/tests/test_security_headers.py``
checks them all on every kind of response.
"""

from __future__ import annotations

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
