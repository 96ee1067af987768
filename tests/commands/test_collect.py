"""``course collect``: from an LMS download and from the exchange, bad files skipped, never a crash."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import re
import shutil
import tempfile
from collections.abc import Callable
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nbgrader.utils import parse_utc

from assignments.compression.examples import Example, submit_to_exchange, write_lms_download
from course.collect import collect, compile_pattern, inbound_student
from course.course_config import course_directory, load_course_config
from course.errors import BadOption, CourseError, NothingToDo, UnusableInput
from course.messages import collect_line
from course.lms_download import plan_download
from course.lms_names import DEFAULT_PATTERN, HandIn, is_hidden, read_hand_in, read_pattern, unwrap
from course.roster import ROSTER_FILE, USABLE_ID, RosterEntry, normalise_id, save_roster
from course.roster_import import import_roster
from tests.commands import lms_downloads as lms
from tests.coursedir import ASSIGNMENT, make_course, run_tool

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
    ("alice_compression.ipynb", "alice", "compression.ipynb", ""),
    ("alice/compression.ipynb", "alice", "compression.ipynb", ""),
    ("alice/data/extra_file.csv", "alice", "data/extra_file.csv", ""),
    ("bob-2_20260302T150000Z_Compression (1).ipynb", "bob-2", "Compression (1).ipynb", "20260302T150000Z"),
])
def test_plain_names_are_read_as_student_id_file_and_time(name, student, file_id, timestamp):
    assert read_hand_in(name) == HandIn("plain", student, file_id, timestamp=timestamp)
    assert read_pattern(name, compile_pattern(DEFAULT_PATTERN)) == read_hand_in(name)


@pytest.mark.parametrize(("name", "hand_in"), [
    ("diazcarol_34567_1234567_compression.ipynb", HandIn("canvas", "diazcarol", NOTEBOOK, "34567")),
    ("diazcarol_LATE_34567_1234567_compression.ipynb", HandIn("canvas", "diazcarol", NOTEBOOK, "34567", late=True)),
    ("diazcarol_34567_1234567_compression-2.ipynb", HandIn("canvas", "diazcarol", NOTEBOOK, "34567")),  # resubmitted
    ("diazcarol_34567_1234567_notes-2.txt", HandIn("canvas", "diazcarol", "notes-2.txt", "34567")),  # not a notebook
    ("diazcarol_34567_1234567_my_file name.txt", HandIn("canvas", "diazcarol", "my_file name.txt", "34567")),
    ("Carol Díaz_501_assignsubmission_file_/compression.ipynb", HandIn("moodle", "Carol Díaz", NOTEBOOK, "501")),
    ("Carol Díaz_501_assignsubmission_file_compression.ipynb", HandIn("moodle", "Carol Díaz", NOTEBOOK, "501")),
    ("Mary_Ann Lee_504_assignsubmission_onlinetext_/onlinetext.html",
     HandIn("moodle", "Mary_Ann Lee", "onlinetext.html", "504")),
    ("Carol Díaz_501_assignsubmission_file_/data/x.csv", HandIn("moodle", "Carol Díaz", "data/x.csv", "501")),
])
def test_canvas_and_moodle_names_give_the_lms_user_and_the_file(name, hand_in):
    assert read_hand_in(name) == hand_in


@pytest.mark.parametrize(("name", "reason"), [
    ("readme.txt", "names no student"),
    ("alice_timestamp.txt", "timestamp.txt is reserved"),
    ("alice/timestamp.txt", "timestamp.txt is reserved"),
    ("Carol Díaz_501_assignsubmission_file_/timestamp.txt", "timestamp.txt is reserved"),
])
def test_names_that_cannot_be_placed_say_why(name, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        read_hand_in(name)


@pytest.mark.parametrize("name", [".DS_Store", "__MACOSX/alice/._compression.ipynb",
                                  "alice/.ipynb_checkpoints/compression-checkpoint.ipynb", "Thumbs.db"])
def test_hidden_and_system_files_are_nobody_s(name):
    assert is_hidden(name)
    assert not is_hidden("alice/compression.ipynb")


def test_a_custom_pattern_reads_its_own_groups_and_its_times_are_checked():
    pattern = compile_pattern(r"^(?P<file>[a-z]+)-(?P<student_id>\w+)-(?P<timestamp>[^-]+)\.ipynb$")
    assert read_pattern("compression-s123-20260302T150000Z.ipynb", pattern) == HandIn(
        "plain", "s123", "compression", timestamp="20260302T150000Z")
    with pytest.raises(ValueError, match="unreadable submission time"):
        read_pattern("compression-s123-yesterday.ipynb", pattern)
    with pytest.raises(ValueError, match="matches no student"):
        read_pattern("readme.txt", pattern)


@pytest.mark.parametrize(("names", "roster", "inner"), [
    (["submissions/eve/compression.ipynb"], set(), ["eve/compression.ipynb"]),  # the case
    (["a/b/eve/compression.ipynb", "a/b/bob/compression.ipynb"], set(), ["eve/compression.ipynb", "bob/compression.ipynb"]),
    (["submissions/eve_compression.ipynb", "submissions/bob/compression.ipynb"], set(),
     ["eve_compression.ipynb", "bob/compression.ipynb"]),
    (["submissions/eve/compression.ipynb", "readme.txt"], set(), ["eve/compression.ipynb", "readme.txt"]),
    (["eve/compression.ipynb", "eve/notes.txt"], set(), ["eve/compression.ipynb", "eve/notes.txt"]),  # her own folder
    (["eve/work/compression.ipynb"], {"eve"}, ["eve/work/compression.ipynb"]),  # a roster student's folder
    ([f"dl/{lms.canvas_name(lms.CAROL, NOTEBOOK)}"], set(), [lms.canvas_name(lms.CAROL, NOTEBOOK)]),
    ([lms.moodle_name(lms.CAROL, NOTEBOOK)], set(), [lms.moodle_name(lms.CAROL, NOTEBOOK)]),  # a Moodle student's folder
    ([f"dl/{lms.moodle_name(lms.CAROL, NOTEBOOK)}"], set(), [lms.moodle_name(lms.CAROL, NOTEBOOK)]),
    (["eve/compression.ipynb", "bob/compression.ipynb"], set(), ["eve/compression.ipynb", "bob/compression.ipynb"]),
])
def test_wrapper_folders_are_told_from_student_folders(names, roster, inner):
    assert unwrap(names, lambda folder: folder in roster) == dict(zip(names, inner))


@pytest.mark.parametrize(("pattern", "message"), [
    ("(?P<student_id>", "not a regular expression"),
    (r"(?P<file_id>.*)", "named groups"),
    (r"(?P<student_id>\w+)", "named groups"),
])
def test_bad_patterns_are_refused_before_anything_happens(course, tmp_path, pattern, message):
    download = tmp_path / "download"
    download.mkdir()
    with pytest.raises(BadOption, match=message):
        collect(root=course, assignment=ASSIGNMENT, zip_source=download, pattern=pattern)
    assert not (course / "submitted").exists()


def test_pattern_without_zip_and_a_zip_that_is_not_one_are_refused(course, tmp_path):
    with pytest.raises(BadOption, match="needs --zip"):
        collect(root=course, assignment=ASSIGNMENT, pattern=DEFAULT_PATTERN)
    (tmp_path / "grades.csv").write_text("x")
    with pytest.raises(UnusableInput, match="a .zip file or a folder"):
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
    result = collect(root=course, assignment=ASSIGNMENT, zip_source=write_lms_download(examples, tmp_path / "lms.zip"))
    assert_every_example_collected(course, examples)
    assert result.students == dict.fromkeys(sorted(e.student for e in examples), "collected")
    assert result.skipped == {} and result.submitted == course / "submitted" and result.undated == []


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
    skipped = collect(root=course, assignment=ASSIGNMENT, zip_source=download).skipped
    assert_every_example_collected(course, examples)  # the newer perfect notebook won
    reasons = {
        "readme.txt": "names no student", ".DS_Store": "hidden or system file",
        "__MACOSX/._perfect_compression.ipynb": "hidden", "blank_timestamp.txt": "timestamp.txt is reserved",
        f"perfect_{older.timestamp:%Y%m%dT%H%M%SZ}_compression.ipynb": "another compression.ipynb from perfect",
    }
    assert set(skipped) == set(reasons)
    for name, reason in reasons.items():
        assert skipped[name].startswith(reason), (name, skipped[name])


def test_per_student_folders_without_times_and_a_duplicate_without_times(course, by_student, tmp_path):
    download = tmp_path / "download"
    for student in ("perfect", "extra-files"):
        for name, data in by_student[student].files.items():
            (download / student).mkdir(parents=True, exist_ok=True)
            (download / student / name).write_bytes(data)
    (download / "perfect_compression.ipynb").write_bytes(b"a second copy, no time to choose by")
    result = collect(root=course, assignment=ASSIGNMENT, zip_source=download)
    assert handed_in(course, "perfect") == by_student["perfect"].files  # "perfect/..." sorts first
    assert handed_in(course, "extra-files") == by_student["extra-files"].files
    assert not (submitted(course, "perfect") / "timestamp.txt").exists()
    assert result.skipped == {
        "perfect_compression.ipynb": "another compression.ipynb from perfect: perfect/compression.ipynb is newer or first"}
    assert result.undated == ["extra-files", "perfect"]


def test_a_new_download_replaces_what_a_student_handed_in_before(course, by_student, tmp_path):
    first = by_student["extra-files"]
    collect(root=course, assignment=ASSIGNMENT, zip_source=write_lms_download([first], tmp_path / "first.zip"))
    again = dataclasses.replace(first, files={NOTEBOOK: first.files[NOTEBOOK]}, timestamp=first.timestamp + timedelta(1))
    collect(root=course, assignment=ASSIGNMENT, zip_source=write_lms_download([again], tmp_path / "again.zip"))
    assert handed_in(course, "extra-files") == again.files
    assert collected_time(course, "extra-files") == as_utc(again)


def test_collect_from_the_exchange_needs_a_release(course):
    with pytest.raises(NothingToDo, match="release the assignment first"):
        collect(root=course, assignment=ASSIGNMENT)


# -- LMS layouts against the roster -------------------------------------------


def imported(tmp_path_factory, write: Callable[[Path], Path]) -> Path:
    """A course with the class list ``write`` makes imported (its gradebook and roster.csv, for copying)."""
    root = make_course(tmp_path_factory.mktemp("imported") / "course")
    import_roster(root=root, path=write(root.parent / "class-list.csv"))
    return root


def with_roster_of(template: Path, course: Path) -> Path:
    for name in ("gradebook.db", ROSTER_FILE):
        shutil.copy(template / name, course / name)
    return course


@pytest.fixture(scope="module")
def canvas_import(tmp_path_factory) -> Path:
    return imported(tmp_path_factory, lms.canvas_gradebook)


@pytest.fixture(scope="module")
def moodle_import(tmp_path_factory) -> Path:
    return imported(tmp_path_factory, lms.moodle_worksheet)


@pytest.fixture
def canvas_course(course, canvas_import) -> Path:
    """A course whose roster came from Canvas's gradebook export (ids: ``lms.CANVAS_IDS``)."""
    return with_roster_of(canvas_import, course)


@pytest.fixture
def moodle_course(course, moodle_import) -> Path:
    """A course whose roster came from Moodle's grading worksheet (ids: ``lms.MOODLE_IDS``)."""
    return with_roster_of(moodle_import, course)


def collected_files(course: Path) -> dict[str, dict[str, bytes]]:
    """Every student's collected files (paths in the hand-in), timestamp.txt aside."""
    return {folder.parent.name: {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
                                 if p.is_file() and p.name != "timestamp.txt"}
            for folder in (course / "submitted").glob(f"*/{ASSIGNMENT}")}


def file_of(name: str) -> bytes:
    return lms.hand_in_bytes(name)


def test_a_canvas_download_lands_under_the_roster_ids_and_says_who_and_what_is_missing(canvas_course, tmp_path):
    carol = lms.canvas_name(lms.CAROL, "compression-1.ipynb")  # uploaded a second time
    eve = [lms.canvas_name(lms.EVE, NOTEBOOK, late=True), lms.canvas_name(lms.EVE, "notes.txt", late=True)]
    zoe = lms.canvas_name(lms.ZOE, NOTEBOOK)
    stranger = "nobodyhere_99998_1234599_compression.ipynb"
    download = lms.write_download(tmp_path / "canvas.zip", [carol, *eve, zoe, stranger, "readme.txt", "__MACOSX/._x"])

    result = collect(root=canvas_course, assignment=ASSIGNMENT, zip_source=download)
    ids = lms.CANVAS_IDS
    assert collected_files(canvas_course) == {
        ids[lms.CAROL]: {NOTEBOOK: file_of(carol)},
        ids[lms.EVE]: {NOTEBOOK: file_of(eve[0]), "notes.txt": file_of(eve[1])},
        ids[lms.ZOE]: {NOTEBOOK: file_of(zoe)},
    }
    assert not list((canvas_course / "submitted").rglob("timestamp.txt"))
    class_ids = sorted(ids[p] for p in (lms.CAROL, lms.EVE, lms.ZOE))
    assert result.students == dict.fromkeys(class_ids, "collected")
    assert result.skipped[stranger] == "Canvas user 99998 ('nobodyhere') is not in the roster"
    assert result.skipped["readme.txt"].startswith("names no student")
    assert result.skipped["__MACOSX/._x"] == "hidden or system file" and len(result.skipped) == 3
    assert result.missing == [ids[lms.MARY], ids[lms.FAY]]
    assert (result.undated, result.marked_late, result.times) == (class_ids, [ids[lms.EVE]], None)
    line = collect_line(result)  # what `course collect` prints
    assert line.startswith(f"collected {ASSIGNMENT} from {download} into {canvas_course / 'submitted'}: "
                           "3 students (3 collected); skipped: ")
    assert f"{stranger} (Canvas user 99998 ('nobodyhere') is not in the roster)" in line
    assert f"; no submission from 2 roster students: {ids[lms.MARY]}, {ids[lms.FAY]}; " in line
    assert line.endswith("; no submission time for 3 students (the download's file names carry none): late penalties "
                         f"cannot apply (Canvas marked late: {ids[lms.EVE]}); --times FILE (the LMS's list of "
                         "submissions) gives the times")


def test_times_from_the_lms_s_list_become_nbgrader_s_submission_times(canvas_course, tmp_path):
    names = [lms.canvas_name(p, NOTEBOOK, late=p is lms.EVE) for p in (lms.CAROL, lms.EVE, lms.ZOE)]
    download = lms.write_download(tmp_path / "canvas", names)
    times = lms.submission_list(tmp_path / "times.csv", [
        (lms.CAROL.canvas_id, "2026-03-02T15:00:00Z"),
        ("eve.ng@uni.example", "2026-03-03T19:30:00+01:00"),  # the SIS Login ID names her too
        (lms.ZOE.sis_user_id, "2026-03-01 09:00:00"),  # no zone: Exchange.timezone, UTC here
        (lms.ZOE.sis_user_id, "2026-03-01 08:00:00"),  # an earlier attempt: the latest counts
        ("77777", "2026-03-01T00:00:00Z"),
        (lms.FAY.canvas_id, ""),  # no submission
    ])
    result = collect(root=canvas_course, assignment=ASSIGNMENT, zip_source=download, times=times)
    coursedir = course_directory(load_course_config(canvas_course))
    expected = {"cdiaz": datetime(2026, 3, 2, 15), "eve.ng": datetime(2026, 3, 3, 18, 30), "s-0003": datetime(2026, 3, 1, 9)}
    for student, when in expected.items():  # what nbgrader's autograde reads as the submission time
        assert coursedir.get_existing_timestamp(str(submitted(canvas_course, student))) == when, student
    assert (result.times, result.timed, result.undated) == (times, sorted(expected), [])
    assert result.unknown_rows == ["row 6 (77777)"]
    assert collect_line(result).endswith(
        "; submission times from times.csv for 3 students; rows of times.csv naming no known student: row 6 (77777)")


def test_a_moodle_download_in_folders_flat_and_in_a_wrapper_lands_under_the_roster_ids(moodle_course, tmp_path):
    carol = f"Downloads/{lms.moodle_name(lms.CAROL, NOTEBOOK)}"
    zoe = f"Downloads/{lms.moodle_name(lms.ZOE, NOTEBOOK, folders=False)}"
    eve = f"Downloads/{lms.moodle_name(lms.EVE, 'onlinetext.html').replace('_file_', '_onlinetext_')}"
    stranger = "Downloads/Someone Else_999_assignsubmission_file_/compression.ipynb"
    download = lms.write_download(tmp_path / "moodle.zip", [carol, zoe, eve, stranger])
    worksheet = lms.moodle_worksheet(tmp_path / "worksheet.csv", submitted={
        lms.CAROL: "Monday, 2 March 2026, 3:00 PM", lms.ZOE: "Tuesday, 3 March 2026, 6:30 PM"})

    result = collect(root=moodle_course, assignment=ASSIGNMENT, zip_source=download, times=worksheet)
    ids = lms.MOODLE_IDS
    assert collected_files(moodle_course) == {
        ids[lms.CAROL]: {NOTEBOOK: file_of(carol)}, ids[lms.ZOE]: {NOTEBOOK: file_of(zoe)},
        ids[lms.EVE]: {"onlinetext.html": file_of(eve)},
    }
    assert collected_time(moodle_course, ids[lms.ZOE]) == datetime(2026, 3, 3, 18, 30)
    assert result.skipped == {stranger: "Moodle user 999 ('Someone Else') is not in the roster"}
    assert (result.timed, result.undated) == (sorted([ids[lms.CAROL], ids[lms.ZOE]]), [ids[lms.EVE]])
    assert "; no submission time for 1 student (not in worksheet.csv): late penalties cannot apply" in collect_line(result)


def test_without_moodle_s_user_numbers_a_name_only_one_student_has_finds_them(course, tmp_path):
    twins = [lms.CAROL, dataclasses.replace(lms.MARY, first="Carol", last="Díaz", id_number="ID-0004")]
    import_roster(root=course, path=lms.moodle_grades(tmp_path / "grades.csv", [*twins, lms.EVE]))
    names = [lms.moodle_name(lms.EVE, NOTEBOOK), lms.moodle_name(lms.CAROL, NOTEBOOK)]
    result = collect(root=course, assignment=ASSIGNMENT, zip_source=lms.write_download(tmp_path / "dl", names))
    assert list(collected_files(course)) == ["eve"]
    assert result.by_name == ["eve"]
    assert result.skipped == {names[1]: "Moodle user 501 ('Carol Díaz') is not in the roster"}  # two Carol Díaz
    assert re.search(r"; found by name only \(the roster has no LMS user id for them.*?\): eve;", collect_line(result))


def test_canvas_and_moodle_names_without_a_roster_wait_for_one(course, tmp_path):
    download = lms.write_download(tmp_path / "dl", [lms.canvas_name(lms.CAROL, NOTEBOOK), lms.moodle_name(lms.EVE, NOTEBOOK)])
    with pytest.raises(NothingToDo, match=r"^nothing to collect from .*: none of its 2 files could be placed \(.*"
                                          r"Moodle user 502 \('Eve Ng'\): an LMS's file names carry no student id; "
                                          r"import the class list first \(course roster import FILE\)"):
        collect(root=course, assignment=ASSIGNMENT, zip_source=download)
    assert not (course / "submitted").exists()


def test_plain_layouts_without_a_roster_keep_their_ids_but_never_a_space_nor_the_wrapper(course, tmp_path):
    names = ["submissions/eve/compression.ipynb", "submissions/Carol Diaz/compression.ipynb",
             "submissions/bob_compression.ipynb", "submissions/.DS_Store"]
    result = collect(root=course, assignment=ASSIGNMENT, zip_source=lms.write_download(tmp_path / "dl.zip", names))
    assert collected_files(course) == {"eve": {NOTEBOOK: file_of(names[0])}, "bob": {NOTEBOOK: file_of(names[2])}}
    assert result.skipped == {
        "submissions/.DS_Store": "hidden or system file",
        "submissions/Carol Diaz/compression.ipynb": "'Carol Diaz' is not a usable student id (it contains a space)",
    }


def test_plain_layouts_with_a_roster_take_the_roster_s_ids(canvas_course, tmp_path):
    names = ["CDiaz/compression.ipynb", "ffox_compression.ipynb", "zed_compression.ipynb"]
    result = collect(root=canvas_course, assignment=ASSIGNMENT, zip_source=lms.write_download(tmp_path / "dl", names))
    assert collected_files(canvas_course) == {"cdiaz": {NOTEBOOK: file_of(names[0])}, "ffox": {NOTEBOOK: file_of(names[1])}}
    assert result.skipped == {"zed_compression.ipynb": "'zed' is not in the roster"}


def test_nothing_to_collect_is_one_line_that_says_what_to_do(course, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(NothingToDo, match=r"^nothing to collect from .*empty: it holds no files: download the submissions"):
        collect(root=course, assignment=ASSIGNMENT, zip_source=tmp_path / "empty")
    (course / "exchange" / ASSIGNMENT / "inbound").mkdir(parents=True)
    with pytest.raises(NothingToDo, match=r"^nothing to collect: no usable submission of compression in the exchange "
                                          r"inbound .*; students hand in with `nbgrader submit compression`"):
        collect(root=course, assignment=ASSIGNMENT)


@pytest.mark.parametrize(("rows", "message"), [
    ([("cdiaz", "02/03/2026 15:00")], r"times.csv, row 2: unreadable submission time: '02/03/2026 15:00' is ambiguous"),
    ([("cdiaz", "soon")], r"times.csv, row 2: unreadable submission time"),
])
def test_a_submission_time_that_cannot_be_read_stops_the_collection(canvas_course, tmp_path, rows, message):
    download = lms.write_download(tmp_path / "dl", [lms.canvas_name(lms.CAROL, NOTEBOOK)])
    with pytest.raises(CourseError, match=message):
        collect(root=canvas_course, assignment=ASSIGNMENT, zip_source=download,
                times=lms.submission_list(tmp_path / "times.csv", rows, who="student_id"))
    assert not (canvas_course / "submitted").exists()


def test_a_submission_list_needs_a_student_and_a_time_column_and_a_download(canvas_course, tmp_path):
    download = lms.write_download(tmp_path / "dl", [lms.canvas_name(lms.CAROL, NOTEBOOK)])
    bad = lms.submission_list(tmp_path / "times.csv", [("cdiaz", "x")], who="student_id", when="grade")
    with pytest.raises(CourseError, match="--times needs a column naming the student"):
        collect(root=canvas_course, assignment=ASSIGNMENT, zip_source=download, times=bad)
    with pytest.raises(BadOption, match="--times gives the submission times of an LMS download; it needs --zip"):
        collect(root=canvas_course, assignment=ASSIGNMENT, times=bad)


# -- properties of reading any download ------------------------------------------

# Names as people have them (they start with a letter), with spaces, underscores, dots and letters of no ASCII form.
PEOPLE = st.builds(
    lambda first, last, number: lms.Person(first, last, "", str(number), "", "", "", str(number), ""),
    st.text(st.sampled_from("aZé_ Ø-.x"), min_size=1, max_size=8).filter(lambda name: name[0].isalpha()),
    st.text(st.sampled_from("bYü_ ß'q"), min_size=1, max_size=8).filter(lambda name: name[0].isalpha()),
    st.integers(1, 10**6),
)
FILES = st.sampled_from([NOTEBOOK, "compression-1.ipynb", "notes.txt", "my notes_v2.txt", "data/x.csv", "Ü ber.py"])
# Relative file paths as a download holds them: no empty, "." or ".." part, no name both a file and a folder.
PATHS = st.lists(
    st.lists(st.text(st.sampled_from("ab_ .Ü1-LATE"), min_size=1, max_size=12).filter(lambda p: p not in (".", "..")),
             min_size=1, max_size=3).map("/".join),
    max_size=12, unique=True,
).filter(lambda paths: not any(other.startswith(f"{path}/") for path in paths for other in paths))


def roster_of(people: list[lms.Person]) -> dict[str, RosterEntry]:
    return {f"s{p.canvas_id}": RosterEntry(f"s{p.canvas_id}", p.first, p.last, lms_user_id=p.canvas_id) for p in people}


def assert_partition(names: list[str], plan) -> None:
    """Every file is placed or skipped, once, and nothing else is."""
    skipped = [name for name, _ in plan.skipped]
    assert sorted([*plan.records, *skipped]) == sorted(set(names)) and len(skipped) == len(set(skipped))
    assert all(reason for _, reason in plan.skipped)


@settings(max_examples=300, deadline=None)
@given(names=PATHS, people=st.lists(PEOPLE, max_size=4, unique_by=lambda p: p.canvas_id), with_roster=st.booleans())
def test_any_names_are_placed_or_skipped_with_a_reason_and_ids_are_clean(names, people, with_roster):
    roster = roster_of(people) if with_roster else {}
    plan = plan_download(names, roster)
    assert_partition(names, plan)
    inner = unwrap([n for n in names if not is_hidden(n)], lambda folder: folder in roster)
    for name, record in plan.records.items():
        assert USABLE_ID.fullmatch(record["student_id"]), record
        assert record["student_id"] in roster or not roster
        hand_in = read_hand_in(inner[name])  # the name inside the wrapper folders, if any: never a wrapper's name
        if hand_in.layout == "plain":
            assert record["student_id"] in (hand_in.who, normalise_id(hand_in.who)), (name, inner[name], record)


@st.composite
def lms_downloads(draw):
    """A class (generated names: spaces, underscores, accents), and a download of theirs in any layout."""
    people = draw(st.lists(PEOPLE, min_size=1, max_size=5, unique_by=lambda p: p.canvas_id))
    layout = draw(st.sampled_from(["canvas", "moodle", "moodle-flat", "folders", "flat"]))
    prefix = draw(st.sampled_from(["", "submissions/", "Downloads/course 1/"]))
    hand_ins = {}
    for person in people:
        files = draw(st.lists(FILES, min_size=1, max_size=3, unique=True))
        for file in files:
            if file == "compression-1.ipynb" and (layout != "canvas" or NOTEBOOK in files):  # one notebook each
                continue
            if layout.startswith("moodle"):
                name = lms.moodle_name(person, file, folders=layout == "moodle")
            elif layout == "canvas":
                name = lms.canvas_name(person, file, late=draw(st.booleans()))
            else:
                name = f"s{person.canvas_id}/{file}" if layout == "folders" else f"s{person.canvas_id}_{file}"
            hand_ins[prefix + name] = (f"s{person.canvas_id}", NOTEBOOK if file == "compression-1.ipynb" else file)
    return people, layout, hand_ins


@settings(max_examples=200, deadline=None)
@given(download=lms_downloads())
def test_generated_lms_downloads_reach_the_right_student_under_the_right_name(download):
    people, layout, hand_ins = download
    plan = plan_download(list(hand_ins), roster_of(people))
    assert_partition(list(hand_ins), plan)
    flat_subfolders = layout in ("flat", "moodle-flat", "canvas")
    for name, (student, file) in hand_ins.items():
        if flat_subfolders and "/" in file:  # "data/x.csv" in a flat name is a folder of the download, not of the file
            continue
        if layout == "flat" and "_" in file:  # "s1_my notes_v2.txt": the flat form's middle part is dropped
            continue
        assert plan.records.get(name) == {"student_id": student, "file_id": file}, (name, plan.skipped)


@contextlib.contextmanager
def logged(logger: str):
    """The messages ``logger`` logs inside the block (hypothesis cannot use pytest's function-scoped caplog)."""
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    logging.getLogger(logger).addHandler(handler)
    try:
        yield lines
    finally:
        logging.getLogger(logger).removeHandler(handler)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(download=lms_downloads(), junk=st.lists(st.sampled_from(["readme.txt", ".DS_Store", "x/y/z.txt", "a b/c.ipynb"]),
                                               max_size=2, unique=True))
def test_collecting_a_generated_download_loses_no_file(download, junk):
    people, _, hand_ins = download
    with tempfile.TemporaryDirectory() as scratch:
        root = make_course(Path(scratch) / "course")
        save_roster(root, list(roster_of(people).values()))
        names = [*hand_ins, *junk]
        with logged("course.collect") as lines:
            try:
                collect(root=root, assignment=ASSIGNMENT, zip_source=lms.write_download(Path(scratch) / "dl.zip", names))
            except NothingToDo as nothing:
                assert str(nothing).startswith("nothing to collect"), nothing
        landed = {data for files in collected_files(root).values() for data in files.values()}
        skipped = [line for line in lines if line.startswith("skipped ")]
        for name in names:
            said = [line for line in skipped if line.startswith(f"skipped {name} (")]
            assert (file_of(name) in landed) != bool(said), (name, lines)  # collected, or skipped saying why


# -- through nbgrader's exchange and the real command line ----------------------


@pytest.mark.slow
def test_exchange_collect_lands_every_example_and_skips_bad_inbound_folders(released, examples):
    for example in examples:
        submit_to_exchange(released, ASSIGNMENT, example)
    inbound = released / "exchange" / ASSIGNMENT / "inbound"
    (inbound / f"mallory+{ASSIGNMENT}+not a time").mkdir()
    (inbound / f"stray+{ASSIGNMENT}+2026-03-02 15:00:00 UTC").write_text("a file, not a folder")

    result = collect(root=released, assignment=ASSIGNMENT)
    assert_every_example_collected(released, examples)
    students = sorted(e.student for e in examples)
    assert (result.source, result.students) == (None, dict.fromkeys(students, "new"))
    assert sorted(result.skipped) == [f"mallory+{ASSIGNMENT}+not a time", f"stray+{ASSIGNMENT}+2026-03-02 15:00:00 UTC"]
    assert result.skipped[f"mallory+{ASSIGNMENT}+not a time"].startswith("unreadable submission time")
    assert result.skipped[f"stray+{ASSIGNMENT}+2026-03-02 15:00:00 UTC"] == "not a folder"
    assert not (released / "submitted" / "mallory").exists()

    again = collect(root=released, assignment=ASSIGNMENT)
    assert again.students == dict.fromkeys(students, "unchanged")

    newer = dataclasses.replace(examples[2], files=examples[0].files, timestamp=examples[2].timestamp + timedelta(1))
    submit_to_exchange(released, ASSIGNMENT, newer)
    assert collect(root=released, assignment=ASSIGNMENT).students == {**again.students, newer.student: "updated"}
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
    assert "skipped readme.txt (names no student" in result.stderr
    assert result.stdout.startswith(f"collected {ASSIGNMENT} from {download} into {released / 'submitted'}: 3 students "
                                    "(3 collected); skipped: readme.txt (names no student")
    assert_every_example_collected(released, examples[:3])

    submit_to_exchange(released, ASSIGNMENT, examples[3])
    run_tool(released, "course", "collect", ASSIGNMENT, "--root", str(released))
    assert_every_example_collected(released, examples[:4])


@pytest.mark.slow
def test_cli_reports_a_bad_option_and_nothing_to_collect_as_a_message_and_status_2(released, tmp_path):
    result = run_tool(released, "course", "collect", ASSIGNMENT, "--root", str(released), "--pattern", "x", check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == "course collect: --pattern reads LMS file names; it needs --zip"
    assert not (released / "submitted").exists()
    nothing = run_tool(released, "course", "collect", ASSIGNMENT, check=False)
    assert nothing.returncode == 2 and len(nothing.stderr.strip().splitlines()) == 1, nothing.stderr
    assert nothing.stderr.startswith("course collect: nothing to collect: no usable submission of compression")


@pytest.mark.slow
def test_cli_collects_a_canvas_download_with_its_submission_times(released, tmp_path):
    import_roster(root=released, path=lms.canvas_gradebook(tmp_path / "grades.csv"))
    download = lms.write_download(tmp_path / "canvas.zip", [lms.canvas_name(lms.CAROL, NOTEBOOK)])
    times = lms.submission_list(tmp_path / "times.csv", [(lms.CAROL.canvas_id, "2026-03-02T15:00:00Z")])
    result = run_tool(released, "course", "collect", "--zip", str(download), "--times", str(times))
    assert "1 student (1 collected)" in result.stdout and "submission times from times.csv for 1 student" in result.stdout
    assert collected_time(released, "cdiaz") == datetime(2026, 3, 2, 15)
