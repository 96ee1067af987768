"""This course's assignment-specific grader settings, read from the repository's nbgrader_config.py.

The engine's parts take them as arguments (the engine knows no assignment);
tests of those parts pass in what the course's own grading uses.
"""

from __future__ import annotations

from pathlib import Path

from course.course_config import load_course_config
from course.grading.preprocessors import SandboxedExecute
from course.grading.sandbox import package_folders

CONFIG = load_course_config(Path(__file__).resolve().parents[2])
SETTINGS = SandboxedExecute(config=CONFIG)
SHARED_CLASSES: dict[str, str] = dict(SETTINGS.shared_classes)
SWAP_HELPER: str = SETTINGS.swap_helper
SUPPORT: tuple[str, ...] = package_folders(SETTINGS.support_packages)
PROBE_IMPORTS: tuple[str, ...] = tuple(SETTINGS.probe_imports)
