"""Shared fixtures: the reference solutions as a module."""

import pytest

from tests.reference import load_reference


@pytest.fixture(scope="session")
def ref():
    """The source notebook's given code and reference solutions."""
    return load_reference()
