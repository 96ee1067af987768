"""``course collect``: from an LMS download and from the exchange, bad files skipped, never a crash."""

from __future__ import annotations

import dataclasses
import os
import re
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from nbgrader.utils import parse_utc

from course.collect import DEFAULT_PATTERN, collect, compile_pattern, inbound_student, read_name
from course.errors import CourseError
from course.examples import Example, submit_to_exchange, write_lms_download
from tests.coursedir import ASSIGNMENT, run_tool

pytest_plugins = ["tests.commands.example_class"]

NOTEBOOK = f"{ASSIGNMENT}.ipynb"


def submitted(course: Path, student: str) -> Path:
    return course / "submitted" / student / ASSIGNMENT


def handed_in(course: Path, student: str) -> dict[str, bytes]:
    """The student's collected files, without nbgrader's own bookkeeping files."""
    folder = submitted(course, student)
    ignore = {"timestamp.txt", "submission_secret.txt"}
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name not in ignore}


def collected_time(course: Path, student: str):
    return parse_utc((submitted(course, student) / "timestamp.txt").read_text())


def as_utc(example: Example):
    return parse_utc(example.timestamp)


def assert_every_example_collected(course: Path, examples: list[Example]) -> None:
    for example in examples:
        assert handed_in(course, example.student) == example.files, example.student
        assert collected_time(course, example.student) == as_utc(example), example.student


# -- reading LMS file names -----------------------------------------------------


@pytest.mark.parametrize(("name", "student", "file_id", "timestamp"), [
    ("alice_20260302T150000Z_compression.ipynb", "alice", "compression.ipynb", "20260302T150000Z"),
    ("alice_20260302T150000Z_my_notes.txt", "alice", "my_notes.txt", "20260302T150000Z"),
    ("alice_12345_678_compression.ipynb", "alice", "compression.ipynb", None),  # Canvas-like ids in between
    ("alice_compression.ipynb", "alice", "compression.ipynb", None),
    ("alice/compression.ipynb", "alice", "compression.ipynb", None),
    ("alice/data/extra_file.csv", "alice", "data/extra_file.csv", None),
    ("bob-2_20260302T150000Z_Compression (1).ipynb", "bob-2", "Compression (1).ipynb", "20260302T150000Z"),
])
def test_default_pattern_reads_flat_and_per_student_folder_names(name, student, file_id, timestamp):
    record = read_name(name, compile_pattern(DEFAULT_PATTERN))
    assert record == {"student_id": student, "file_id": file_id, **({"timestamp": timestamp} if timestamp else {})}


@pytest.mark.parametrize(("name", "reason"), [
    ("readme.txt", "matches no student"),
    (".DS_Store", "hidden or system file"),
    ("__MACOSX/alice/._compression.ipynb", "hidden or system file"),
    ("alice/.ipynb_checkpoints/compression-checkpoint.ipynb", "hidden or system file"),
    ("alice_timestamp.txt", "timestamp.txt is reserved"),
    ("alice/timestamp.txt", "timestamp.txt is reserved"),
])
def test_names_that_cannot_be_placed_say_why(name, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        read_name(name, compile_pattern(DEFAULT_PATTERN))


def test_a_custom_pattern_reads_its_own_groups_and_its_times_are_checked():
    pattern = compile_pattern(r"^(?P<file>[a-z]+)-(?P<student_id>\w+)-(?P<timestamp>[^-]+)\.ipynb$")
    assert read_name("compression-s123-20260302T150000Z.ipynb", pattern) == {
        "student_id": "s123", "file_id": "compression", "timestamp": "20260302T150000Z"}
    with pytest.raises(ValueError, match="unreadable submission time"):
        read_name("compression-s123-yesterday.ipynb", pattern)


@pytest.mark.parametrize(("pattern", "message"), [
    ("(?P<student_id>", "not a regular expression"),
    (r"(?P<file_id>.*)", "named groups"),
    (r"(?P<student_id>\w+)", "named groups"),
])
def test_bad_patterns_are_refused_before_anything_happens(course, tmp_path, pattern, message):
    download = tmp_path / "download"
    download.mkdir()
    with pytest.raises(CourseError, match=message):
        collect(root=course, assignment=ASSIGNMENT, zip_source=download, pattern=pattern)
    assert not (course / "submitted").exists()


def test_pattern_without_zip_and_a_zip_that_is_not_one_are_refused(course, tmp_path):
    with pytest.raises(CourseError, match="needs --zip"):
        collect(root=course, assignment=ASSIGNMENT, pattern=DEFAULT_PATTERN)
    (tmp_path / "grades.csv").write_text("x")
    with pytest.raises(CourseError, match="a .zip file or a folder"):
        collect(root=course, assignment=ASSIGNMENT, zip_source=tmp_path / "grades.csv")


@pytest.mark.parametrize(("name", "reason"), [
    ("alice+compression", "not a <student>+<assignment>+<time> folder"),
    ("alice+compression+last tuesday+abc", "unreadable submission time"),
])
def test_inbound_names_nbgrader_would_choke_on_say_why(name, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        inbound_student(name)
    assert inbound_student("a+b+compression+2026-03-02 15:00:00.000000 UTC+Xy_z") == "a+b"


# -- collecting an LMS download ------------------------------------------------


def test_lms_zip_lands_every_example_in_submitted_with_its_time(course, examples, tmp_path):
    summary = collect(root=course, assignment=ASSIGNMENT, zip_source=write_lms_download(examples, tmp_path / "lms.zip"))
    assert_every_example_collected(course, examples)
    assert f"{len(examples)} students" in summary and "skipped" not in summary


def test_bad_files_in_a_download_are_skipped_with_a_reason_and_the_rest_collected(course, examples, tmp_path):
    download = write_lms_download(examples, tmp_path / "lms.zip")
    perfect = examples[0]
    older = dataclasses.replace(perfect, timestamp=perfect.timestamp - timedelta(days=1), files={NOTEBOOK: b"older"})
    with zipfile.ZipFile(download, "a") as archive:
        archive.writestr("readme.txt", b"Downloaded from the LMS")
        archive.writestr(".DS_Store", b"\0")
        archive.writestr("__MACOSX/._perfect_compression.ipynb", b"\0")
        archive.writestr("blank_timestamp.txt", b"2020-01-01 00:00:00")  # a forged submission time
        for name, data in older.files.items():
            archive.writestr(f"perfect_{older.timestamp:%Y%m%dT%H%M%SZ}_{name}", data)
    summary = collect(root=course, assignment=ASSIGNMENT, zip_source=download)
    assert_every_example_collected(course, examples)  # the newer perfect notebook won
    assert "skipped: " in summary
    for reason in ["readme.txt (matches no student", ".DS_Store (hidden or system file)",
                   "__MACOSX/._perfect_compression.ipynb (hidden", "blank_timestamp.txt (timestamp.txt is reserved",
                   f"perfect_{older.timestamp:%Y%m%dT%H%M%SZ}_compression.ipynb (another compression.ipynb from perfect"]:
        assert reason in summary


def test_per_student_folders_without_times_and_a_duplicate_without_times(course, by_student, tmp_path):
    download = tmp_path / "download"
    for student in ("perfect", "extra-files"):
        for name, data in by_student[student].files.items():
            (download / student).mkdir(parents=True, exist_ok=True)
            (download / student / name).write_bytes(data)
    (download / "perfect_compression.ipynb").write_bytes(b"a second copy, no time to choose by")
    summary = collect(root=course, assignment=ASSIGNMENT, zip_source=download)
    assert handed_in(course, "perfect") == by_student["perfect"].files  # "perfect/..." sorts first
    assert handed_in(course, "extra-files") == by_student["extra-files"].files
    assert not (submitted(course, "perfect") / "timestamp.txt").exists()
    assert "perfect_compression.ipynb (another compression.ipynb from perfect: perfect/compression.ipynb" in summary


def test_a_new_download_replaces_what_a_student_handed_in_before(course, by_student, tmp_path):
    first = by_student["extra-files"]
    collect(root=course, assignment=ASSIGNMENT, zip_source=write_lms_download([first], tmp_path / "first.zip"))
    again = dataclasses.replace(first, files={NOTEBOOK: first.files[NOTEBOOK]}, timestamp=first.timestamp + timedelta(1))
    collect(root=course, assignment=ASSIGNMENT, zip_source=write_lms_download([again], tmp_path / "again.zip"))
    assert handed_in(course, "extra-files") == again.files
    assert collected_time(course, "extra-files") == as_utc(again)


def test_collect_from_the_exchange_needs_a_release(course):
    with pytest.raises(CourseError, match="release the assignment first"):
        collect(root=course, assignment=ASSIGNMENT)


# -- through nbgrader's exchange and the real command line ----------------------


@pytest.mark.slow
def test_exchange_collect_lands_every_example_and_skips_bad_inbound_folders(released, examples):
    for example in examples:
        submit_to_exchange(released, ASSIGNMENT, example)
    inbound = released / "exchange" / ASSIGNMENT / "inbound"
    (inbound / f"mallory+{ASSIGNMENT}+not a time").mkdir()
    (inbound / f"stray+{ASSIGNMENT}+2026-03-02 15:00:00 UTC").write_text("a file, not a folder")

    summary = collect(root=released, assignment=ASSIGNMENT)
    assert_every_example_collected(released, examples)
    assert f"{len(examples)} students ({len(examples)} new)" in summary
    assert f"mallory+{ASSIGNMENT}+not a time (unreadable submission time" in summary
    assert "(not a folder)" in summary
    assert not (released / "submitted" / "mallory").exists()

    again = collect(root=released, assignment=ASSIGNMENT)
    assert f"({len(examples)} unchanged)" in again

    newer = dataclasses.replace(examples[2], files=examples[0].files, timestamp=examples[2].timestamp + timedelta(1))
    submit_to_exchange(released, ASSIGNMENT, newer)
    assert "1 updated" in collect(root=released, assignment=ASSIGNMENT)
    assert handed_in(released, newer.student) == newer.files
    assert collected_time(released, newer.student) == as_utc(newer)


@pytest.mark.slow
def test_submit_to_exchange_makes_the_folder_nbgrader_submit_makes(released, by_student):
    example = by_student["late"]
    folder = submit_to_exchange(released, ASSIGNMENT, example)
    student, assignment, stamp, random = folder.name.split("+")
    assert (student, assignment) == ("late", ASSIGNMENT) and random
    assert stamp == f"{example.timestamp:%Y-%m-%d %H:%M:%S}.000000 UTC" == (folder / "timestamp.txt").read_text()
    assert (folder / "submission_secret.txt").is_file()
    assert {p.name for p in folder.iterdir()} == {*example.files, "timestamp.txt", "submission_secret.txt"}

    before = datetime.now(timezone.utc).replace(tzinfo=None)
    now = submit_to_exchange(released, ASSIGNMENT, dataclasses.replace(example, timestamp=None))
    assert before <= parse_utc((now / "timestamp.txt").read_text()) <= datetime.now(timezone.utc).replace(tzinfo=None)


@pytest.mark.slow
def test_cli_collects_an_lms_zip_and_from_the_exchange(released, examples, tmp_path):
    download = write_lms_download(examples[:3], tmp_path / "lms.zip")
    with zipfile.ZipFile(download, "a") as archive:
        archive.writestr("readme.txt", b"x")
    result = run_tool(released, "course", "collect", ASSIGNMENT, "--root", str(released), "--zip", str(download))
    assert "skipped readme.txt (matches no student" in result.stderr
    assert_every_example_collected(released, examples[:3])

    submit_to_exchange(released, ASSIGNMENT, examples[3])
    run_tool(released, "course", "collect", ASSIGNMENT, "--root", str(released))
    assert_every_example_collected(released, examples[:4])


@pytest.mark.slow
def test_cli_reports_a_bad_option_as_a_message_and_status_2(course):
    result = run_tool(course, "course", "collect", ASSIGNMENT, "--root", str(course), "--pattern", "x", check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == "course collect: --pattern reads LMS file names; it needs --zip"
    assert sorted(os.listdir(course)) == ["nbgrader_config.py", "source"]
