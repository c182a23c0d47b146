"""Signing in: password, two-factor (TOTP and backup codes), throttling, password reset.

Built on Django's auth views, django-otp (devices, ``OTPMiddleware``) and
django-axes (failed-login throttling). This app adds the pages, the policy of
who must use a second factor (``two_factor.py``) and the middleware that keeps
a person who still owes that step out of the back office and the admin.
"""
