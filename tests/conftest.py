"""Shared fixtures: the reference solutions as a module."""

import pytest

from tests.reference import load_reference


@pytest.fixture(scope="session")
def ref():
    """The source notebook's given code and reference solutions."""
    return load_reference()


@pytest.fixture(scope="session")
def postgres_server():
    """One throw-away PostgreSQL server for the session (tests/postgres.py)."""
    from tests import postgres

    server = postgres.start_server()
    yield server
    postgres.remove(server)


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """The SQLAlchemy URL of an empty database of this test's own."""
    return postgres_server.new_database()
