"""Masthead: the newsroom publishing platform.

The Django project lives in this package: ``settings`` (environment only),
``urls``, ``wsgi`` and the command-line entry point ``cli``. Each domain
concept is one app below it (see docs/architecture.md).
"""

__version__ = "0.1.0"
