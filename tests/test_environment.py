"""The environment ``make`` builds is exactly the pinned one, nothing more.

Packages that only optional extras ask for stay out: jsonschema's IRI checker
(rfc3987-syntax), for one, compiles a grammar whenever nbformat is imported
and made every command and grading worker 1.2 s slower to start.
"""

from __future__ import annotations

import importlib.metadata
import sysconfig
from pathlib import Path

from packaging.utils import canonicalize_name

REQUIREMENTS = Path(__file__).resolve().parents[1] / "requirements"
# What ``python -m venv`` and ``pip install -e .`` add beside the pins.
NOT_PINNED = {"pip", "setuptools", "compression-course"}


def pinned(*files: str) -> dict[str, str]:
    """``name==version`` lines of the requirement files, by canonical name."""
    pins = {}
    for name in files:
        for line in (REQUIREMENTS / name).read_text().splitlines():
            requirement = line.split("#")[0].strip()
            if "==" in requirement:
                package, version = requirement.split("==")
                pins[canonicalize_name(package)] = version
    return pins


def test_the_installed_packages_are_the_pinned_ones_at_their_versions():
    pins = pinned("runtime.txt", "test.txt")
    # The environment's own folder: once imported, setuptools puts its vendored packages on sys.path too.
    site_packages = sysconfig.get_paths()["purelib"]
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in importlib.metadata.distributions(path=[site_packages])}
    extra = sorted(set(installed) - set(pins) - NOT_PINNED)
    missing = sorted(set(pins) - set(installed))
    moved = {name: (pins[name], installed[name]) for name in pins.keys() & installed.keys() if pins[name] != installed[name]}
    assert not extra and not missing and not moved, f"not pinned: {extra}; pinned, not installed: {missing}; other versions: {moved}"


def test_nothing_pinned_is_the_slow_optional_iri_checker():
    assert not {"rfc3987-syntax", "lark"} & set(pinned("runtime.txt", "test.txt"))
