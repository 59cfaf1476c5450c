"""The checkpoint tests' API client of a user with every checkpoint right."""

import pytest

from tests.conftest import client_for


@pytest.fixture
def full_api(full_user):
    return client_for(full_user)
