"""Lessons: presets of the page's levers with a text on what to watch and a question for the
class, one YAML file each (classroom/lessons/*.yaml, or the folder in CARELINES_LESSONS).

A file holds `title`, `watch` and `question` (each {nl: ..., en: ...}) and `levers` (page
keyword -> value, see `classroom.levers`). Files are read with yaml.safe_load and checked: a
problem raises LessonError in one line naming the file and the key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from classroom import levers
from classroom.text import LANGS
from model.config import ConfigError

DEFAULT_FOLDER = Path(__file__).parent / "lessons"
TEXT_KEYS = ("title", "watch", "question")
KEYS = TEXT_KEYS + ("levers",)


class LessonError(ValueError):
    """A lesson file that cannot be used, in one line naming the file and the key."""


@dataclass(frozen=True)
class Lesson:
    name: str                 # the file name without .yaml
    title: dict
    watch: dict
    question: dict
    levers: dict = field(default_factory=dict)

    def settings(self) -> dict:
        """Every page keyword: today's values with the lesson's levers on top."""
        return {**levers.defaults(), **self.levers}


def folder() -> Path:
    return Path(os.environ.get("CARELINES_LESSONS") or DEFAULT_FOLDER)


def load(path: str | Path) -> Lesson:
    """Read and check one lesson file."""
    path = Path(path)
    where = path.name

    def bad(key: str, message: str) -> LessonError:
        return LessonError(f"{where}: '{key}': {message}")

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LessonError(f"{where}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise LessonError(f"{where}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(raw, dict):
        raise LessonError(f"{where}: must be a mapping with the keys {', '.join(KEYS)}")
    for key in raw:
        if key not in KEYS:
            raise bad(str(key), f"unknown key; allowed keys are {', '.join(KEYS)}")
    texts = {}
    for key in TEXT_KEYS:
        value = raw.get(key)
        if not isinstance(value, dict):
            raise bad(key, "give a text in each language, e.g. {nl: ..., en: ...}")
        for lang in LANGS:
            if not (isinstance(value.get(lang), str) and value[lang].strip()):
                raise bad(f"{key}.{lang}", "missing text")
        extra = set(value) - set(LANGS)
        if extra:
            raise bad(f"{key}.{sorted(map(str, extra))[0]}", f"unknown language; allowed are {', '.join(LANGS)}")
        texts[key] = {lang: " ".join(value[lang].split()) for lang in LANGS}
    given = raw.get("levers") or {}
    if not isinstance(given, dict):
        raise bad("levers", "give a mapping of lever -> value")
    checked = {}
    for name, value in given.items():
        try:
            checked[str(name)] = levers.check(str(name), value)
        except ConfigError as exc:
            message = str(exc)
            prefix = f"'{name}': "
            message = message[len(prefix):] if message.startswith(prefix) else message
            raise bad(f"levers.{name}", message) from None
    return Lesson(path.stem, texts["title"], texts["watch"], texts["question"], checked)


def find(name: object, found: list[Lesson]) -> Lesson | None:
    """The lesson the page's lesson choice names, or None. The browser sends only a name; it is
    looked up among the lessons read from the lesson folder at start, never used as a path, so
    a name such as '../../etc/passwd' or '/etc/passwd' simply finds no lesson."""
    if not isinstance(name, str):
        return None
    return next((lesson for lesson in found if lesson.name == name), None)


def load_all(where: str | Path | None = None) -> tuple[list[Lesson], list[str]]:
    """Every lesson in the folder, in file-name order, and one error line per file that could
    not be used (the page shows those lines and offers the other lessons)."""
    base = Path(where) if where is not None else folder()
    lessons, errors = [], []
    for path in sorted(base.glob("*.yaml")):
        try:
            lessons.append(load(path))
        except LessonError as exc:
            errors.append(str(exc))
    if not base.is_dir():
        errors.append(f"lessons: no such folder {base}")
    return lessons, errors
