"""A class of any size grown from a graded course, for the scale tests and the class-scale benchmark.

Grading a class of 1000 would take most of an hour; what export, status and
report read is the gradebook and the folders grading left. So a large class
is grown from a small graded one: each new student is a copy of one of its
students (in turn), with the same gradebook rows (student, submissions,
submitted notebooks, grades, comments) under new ids (and an email of its
own, which the Moodle export matches on), and the same folders
(submitted, autograded, feedback, the exchange's inbound copy) with the
verdict naming the new student. The mix of the small class (full marks, a
blank release, a late one, a failed one) is kept at every size.

Files in the folders are hard links to the originals: a class of 1000 would
otherwise copy most of a gigabyte, and the commands measured (export,
status, report, stock ``nbgrader export``) only read them; a command that
writes into a student's folder in place (feedback) must not run on a grown
class. The course grown from must be on the same file system, and is never
changed: ``copy_course`` makes the copy that grows.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from nbgrader.api import Base, Gradebook
from sqlalchemy import create_engine, delete, insert, select, text
from traitlets.config import Config

from course.course_config import (
    CONFIG_FILE, course_directory, ensure_tools_on_path, exchange_folder, load_course_config, step_folder,
)
from course.grading.verdicts import read_verdict, write_verdict
from course.gradebook_indexes import INDEXES
from course.known import source_assignments
from course.results import students_in_step

# nbgrader's tables holding a student's rows, parents first; below each, its children and the column naming the parent.
TABLES = ("student", "submitted_assignment", "submitted_notebook", "grade", "comment")
CHILDREN = {
    "student": [("submitted_assignment", "student_id")],
    "submitted_assignment": [("submitted_notebook", "assignment_id")],
    "submitted_notebook": [("grade", "notebook_id"), ("comment", "notebook_id")],
}
FOLDER_STEPS = ("submitted", "autograded", "feedback")


def copy_course(template: Path, root: Path) -> Path:
    """The course at ``template`` copied to ``root``, its config pointing at ``root``.

    Folders are linked; the files at the top (config, gradebook, grades CSVs,
    reports) are copied, for the commands write them in place.
    """
    root.mkdir(parents=True)
    for path in template.iterdir():
        if path.is_dir():
            shutil.copytree(path, root / path.name, copy_function=os.link)
        else:
            shutil.copy2(path, root / path.name)
    (root / CONFIG_FILE).write_text((template / CONFIG_FILE).read_text().replace(str(template), str(root)))
    return root


def synthetic_ids(count: int) -> list[str]:
    return [f"student{number:04d}" for number in range(count)]


def grow_class(root: Path, size: int) -> list[str]:
    """Grow the course at ``root`` to ``size`` students, each new one a copy of a student it has; every student id.

    The students copied are those with a submitted folder (graded or not);
    the first new one copies the first of them, and so on in turn.
    """
    config = load_course_config(root)
    assignments = source_assignments(root)
    coursedir = course_directory(config)
    templates = sorted({student for a in assignments for student in students_in_step(coursedir, "submitted", a)})
    new = synthetic_ids(size - len(templates))
    copies = {student: templates[number % len(templates)] for number, student in enumerate(new)}
    copy_rows(coursedir.db_url, copies)
    for assignment in assignments:
        copy_folders(config, assignment, copies)
    return sorted(templates + new)


def copy_rows(url: str, copies: dict[str, str]) -> None:
    """Each new student's gradebook rows: the template student's, with new ids linking them as before."""
    tables = Base.metadata.tables
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            students = {row.id: dict(row._mapping) for row in connection.execute(select(tables["student"]))}
            below: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
            for child, parent_column in (pair for pairs in CHILDREN.values() for pair in pairs):
                for row in connection.execute(select(tables[child])):
                    below[child][row._mapping[parent_column]].append(dict(row._mapping))
            rows: dict[str, list[dict]] = defaultdict(list)
            for student, template in copies.items():
                if template in students:
                    rows["student"].append({**students[template], "id": student, "email": f"{student}@example.edu"})
                    add_children(rows, below, "student", template, student)
            for name in TABLES:
                if rows[name]:
                    connection.execute(insert(tables[name]), rows[name])
    finally:
        engine.dispose()


def add_children(rows: dict[str, list[dict]], below: dict[str, dict[str, list[dict]]], table: str, old: str,
                 new: str) -> None:
    """Copy the rows hanging below row ``old`` of ``table`` to hang below ``new``, each with a fresh id, all the way down."""
    for child, parent_column in CHILDREN.get(table, []):
        for row in below[child].get(old, []):
            fresh = uuid.uuid4().hex
            rows[child].append({**row, "id": fresh, parent_column: new})
            add_children(rows, below, child, row["id"], fresh)


def copy_folders(config: Config, assignment: str, copies: dict[str, str]) -> None:
    """Each new student's folders of ``assignment``, linked to the template's; the verdict names the new student."""
    for step in FOLDER_STEPS:
        for student, template in copies.items():
            folder = step_folder(config, step, template, assignment)
            if folder.is_dir():
                shutil.copytree(folder, step_folder(config, step, student, assignment), copy_function=os.link)
    autograded = {student: step_folder(config, "autograded", student, assignment) for student in copies}
    for student, folder in autograded.items():
        if (verdict := read_verdict(folder)) is not None:  # write_verdict replaces the link, not the template's file
            write_verdict(folder, replace(verdict, student=student))
    inbound = exchange_folder(config, "inbound")
    if inbound.is_dir():
        handed_in = {path.name.split("+", 1)[0]: path for path in inbound.iterdir() if f"+{assignment}+" in path.name}
        for student, template in copies.items():
            if template in handed_in:
                source = handed_in[template]
                shutil.copytree(source, inbound / f"{student}+{source.name.split('+', 1)[1]}", copy_function=os.link)


def drop_indexes(url: str) -> None:
    """Remove ``course.gradebook_indexes``'s indexes: the gradebook as nbgrader alone makes it."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for index in INDEXES:
                connection.execute(text(f"DROP INDEX IF EXISTS {index.name}"))
    finally:
        engine.dispose()


def move_gradebook(root: Path, url: str) -> None:
    """Copy the gradebook of the course at ``root`` into the empty database ``url``, and point the course there.

    The schema is nbgrader's own (``Gradebook`` creates and stamps it), so
    the copy is a gradebook as stock nbgrader makes it on that server; rows
    go over table by table, parents first. The course's own indexes are not
    copied: ``course db init`` adds them as it would to any old gradebook.
    The copy is ``ANALYZE``d, as a server's autovacuum would have done long
    before a class is graded, so that the planner knows the tables' sizes.
    """
    ensure_tools_on_path()  # nbgrader stamps a new gradebook's version by running alembic
    Gradebook(url).close()
    source, target = create_engine(course_directory(load_course_config(root)).db_url), create_engine(url)
    try:
        with source.connect() as reading, target.begin() as writing:
            for table in reversed(Base.metadata.sorted_tables):  # the rows a new gradebook starts with (its course)
                writing.execute(delete(table))
            for table in Base.metadata.sorted_tables:
                rows = [dict(row._mapping) for row in reading.execute(select(table))]
                if rows:
                    writing.execute(insert(table), rows)
            writing.execute(text("ANALYZE"))
    finally:
        source.dispose()
        target.dispose()
    with (root / CONFIG_FILE).open("a") as config:
        config.write(f"c.CourseDirectory.db_url = {url!r}\n")
