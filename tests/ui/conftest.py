"""Every UI test gets its own settings file, never the user's."""

import pytest


@pytest.fixture(autouse=True)
def _isolated(isolated_settings):
    return isolated_settings
