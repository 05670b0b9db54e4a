"""API test helpers: a client that authenticates with a bearer token."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from doconnect.core.services import api_token_create

BearerClient = Callable[[User], Client]


@pytest.fixture
def bearer(db: None) -> BearerClient:
    """``bearer(user)`` is a test client sending a fresh API token of that user."""

    def make(user: User) -> Client:
        _token, raw = api_token_create(user=user, name="tests")
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make
