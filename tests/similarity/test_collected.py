"""Comparing a course's collected submissions: where they are read from, and those that cannot be read."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from course.errors import CourseError, NothingToDo
from course.similarity.report import compare_class
from demo.course_folder import create_course
from tests.similarity.planted import RELEASE_PATH, disguised_code, handed_in, reference_code

NOTEBOOK = RELEASE_PATH.name


def course(root: Path, extra_config: str = "") -> Path:
    """A course with the committed release in release/ (no nbgrader run needed to read it)."""
    create_course(root, extra_config)
    (root / "release" / "compression").mkdir(parents=True)
    shutil.copy(RELEASE_PATH, root / "release" / "compression" / NOTEBOOK)
    return root


def hand_in(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def as_bytes(nb) -> bytes:
    return nbformat.writes(nb).encode()


def test_every_collected_notebook_is_compared_and_the_unreadable_ones_are_named(tmp_path):
    root = course(tmp_path / "course")
    reference = reference_code()
    submitted = root / "submitted"
    hand_in(submitted / "ada" / "compression", {NOTEBOOK: as_bytes(handed_in(reference)), "timestamp.txt": b"x"})
    hand_in(submitted / "bo" / "compression", {"Compression (1).ipynb": as_bytes(handed_in(disguised_code(reference)))})
    hand_in(submitted / "cy" / "compression", {NOTEBOOK: b""})
    hand_in(submitted / "dee" / "compression", {NOTEBOOK: as_bytes(handed_in(reference))[:5000]})
    hand_in(submitted / "eve" / "compression", {"compression.py": b"x = 1\n"})
    hand_in(submitted / "fay" / "compression", {"a.ipynb": as_bytes(handed_in(reference)), "b.ipynb": b"{}"})
    hand_in(submitted / "gus" / "compression", {NOTEBOOK: b'{"nbformat": 4, "cells": [{"source": "x"}]}'})
    report = compare_class(root=root, assignment="compression")
    assert report.students == ["ada", "bo"]
    assert [(p.a, p.b, p.score) for p in report.pairs] == [("ada", "bo", 1.0)]
    assert report.skipped == {
        "cy": "the notebook file is empty",
        "dee": "not a readable notebook (JSONDecodeError)",
        "eve": f"no {NOTEBOOK} in the submission",
        "fay": f"no {NOTEBOOK} in the submission",
        "gus": "not a readable notebook (KeyError)",
    }


def test_submissions_are_read_where_the_course_configures_them(tmp_path):
    root = course(tmp_path / "course", 'c.CourseDirectory.submitted_directory = "handed_in"\n')
    for student in ("ada", "bo"):
        hand_in(root / "handed_in" / student / "compression", {NOTEBOOK: as_bytes(handed_in(reference_code()))})
    hand_in(root / "submitted" / "cy" / "compression", {NOTEBOOK: as_bytes(handed_in(reference_code()))})
    assert compare_class(root=root, assignment="compression").students == ["ada", "bo"]


def test_nothing_collected_and_no_release_are_mistakes_to_fix(tmp_path):
    root = course(tmp_path / "course")
    with pytest.raises(NothingToDo, match="course collect compression"):
        compare_class(root=root, assignment="compression")
    shutil.rmtree(root / "release")
    with pytest.raises(CourseError, match="course release compression"):
        compare_class(root=root, assignment="compression")
