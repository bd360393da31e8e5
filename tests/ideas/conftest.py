"""Fixtures for participation tests: people in every role, and rounds in every phase."""

import pytest
from django.test import TestCase

from ideas.phases import Phase
from tests.factories import UserFactory, make_idea, round_in_phase, verified_resident


@pytest.fixture
def resident(db):
    return verified_resident("anna", email="anna@example.test")


@pytest.fixture
def other_resident(db):
    return verified_resident("juris", email="juris@example.test")


@pytest.fixture
def unverified(db):
    return UserFactory(username="unverified", email="unverified@example.test")


@pytest.fixture
def idea_moderator(db):
    return verified_resident("ilze-moderator", email="ilze@kekava.example", groups=["Moderators"])


@pytest.fixture
def submission_round(db):
    return round_in_phase(Phase.SUBMISSION)


@pytest.fixture
def support_round(db):
    return round_in_phase(Phase.SUPPORT)


@pytest.fixture
def published_idea(support_round, resident):
    return make_idea(support_round, author=resident, status="published")


@pytest.fixture
def run_on_commit():
    """Run on-commit hooks (e-mails) at the end of the block, as a committed request would."""
    return lambda: TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture(scope="session")
def _oidc_server():
    from tests.ideas.eid import running_provider

    with running_provider() as provider:
        yield provider


@pytest.fixture
def oidc_provider(_oidc_server, settings):
    """eID sign-in switched on for the test, against oidc-provider-mock running on 127.0.0.1 (tests/ideas/eid.py:
    sign_in_with_eid walks a test client through it). Rate-limit budgets start empty."""
    from django.core.cache import cache

    settings.SOCIALACCOUNT_PROVIDERS = _oidc_server.providers_setting()
    cache.clear()
    return _oidc_server
