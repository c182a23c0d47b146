"""Masthead's settings, with PERIODIC_WORK from MASTHEAD_TEST_PERIODIC_WORK (JSON), for tests."""

import json
import os

from masthead.settings import *  # noqa: F403

PERIODIC_WORK = [tuple(entry) for entry in json.loads(os.environ["MASTHEAD_TEST_PERIODIC_WORK"])]
