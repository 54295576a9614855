"""Shared command-line plumbing: Hydra-style overrides, one-line errors, unique run folders."""

from __future__ import annotations

import contextlib
import itertools
import sys
import uuid
from datetime import datetime
from pathlib import Path

import research
from model import paths, provenance
from model.config import ConfigError, parse_overrides

REPO = paths.output_root()  # output folders go here: the checkout, else the current directory


def fail(message: str) -> "NoReturn":  # noqa: F821
    """Print one line naming the problem and exit with status 2."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def split_args(argv: list[str]) -> tuple[list[str], dict]:
    """Separate overrides from flags (--multirun) and hydra.* settings (run and sweep folders)."""
    flags = {"multirun": False}
    overrides = []
    for arg in argv:
        if arg in ("--multirun", "-m"):
            flags["multirun"] = True
        elif arg.startswith("-"):
            fail(f"unknown option '{arg}'; allowed are --multirun and key=value overrides")
        elif arg.startswith("hydra.run.dir="):
            flags["run_dir"] = arg.split("=", 1)[1]
        elif arg.startswith("hydra.sweep.dir="):
            flags["sweep_dir"] = arg.split("=", 1)[1]
        elif arg.startswith("hydra."):
            fail(f"'{arg.split('=')[0]}': only hydra.run.dir and hydra.sweep.dir are supported")
        else:
            overrides.append(arg)
    return overrides, flags


def take_executor(args: list[str], default: str | None = None,
                  start_method: str = "forkserver") -> tuple[research.Executor, list[str]]:
    """Take the executor options (executor=, workers=, dask.address=, slurm.config=) out of the
    arguments: the executor they ask for (not started) and the other arguments, in order."""
    options, rest = research.options.split(args)
    try:
        return research.make_executor(options, default, start_method), rest
    except research.OptionError as exc:
        fail(str(exc))


def study_args(argv: list[str], command: str, options) -> tuple[dict, list[str], object, dict]:
    """The arguments of a study that samples its own runs (sensitivity, explore): its own
    options (`options`: their names) as given, the model overrides, the executor and the
    Hydra-style flags. A study writes one folder and makes its own runs, so --multirun and a
    sweep folder are refused."""
    args, flags = split_args(argv)
    if flags["multirun"]:
        fail(f"--multirun is not used by {command}; it samples the registry's parameters itself")
    if "sweep_dir" in flags:
        fail(f"'hydra.sweep.dir': {command} writes one folder; use hydra.run.dir")
    executor, args = take_executor(args)
    given, overrides = {}, []
    for text in args:
        key, sep, value = text.partition("=")
        if sep and key in options:
            given[key] = value
        else:
            overrides.append(text)
    return given, overrides, executor, flags


def list_option(value: str) -> list[str]:
    """A list option: `[a,b]` or `a,b`."""
    return [x.strip() for x in value.strip().strip("[]").split(",") if x.strip()]


def whole_option(key: str, value: str, least: int) -> int:
    """A whole-number option of at least `least`, or one line naming the key and exit 2."""
    if not value.strip().isdigit() or int(value) < least:
        fail(f"'{key}': {value} is not allowed; allowed is a whole number >= {least}")
    return int(value)


def expand_sweep(overrides: list[str]) -> list[list[str]]:
    """Cartesian product of sweep overrides (key=a,b,c or key=range(...)), as Hydra's basic sweeper."""
    try:
        parsed = parse_overrides(overrides)
    except ConfigError as exc:
        fail(str(exc))
    choices = []
    for ov, text in zip(parsed, overrides):
        key = ov.get_key_element()
        if ov.is_sweep_override():
            choices.append([f"{key}={v}" for v in ov.sweep_string_iterator()])
        else:
            choices.append([text])
    return [list(combo) for combo in itertools.product(*choices)]


def unique_run_dir(kind: str, label: str) -> Path:
    """outputs/<date>/<time>_<label>_<random>: unique even for runs started in the same second."""
    now = datetime.now()
    return REPO / "outputs" / kind / now.strftime("%Y-%m-%d") / f"{now:%H-%M-%S}_{label}_{uuid.uuid4().hex[:6]}"


def sweep_root() -> Path:
    now = datetime.now()
    return REPO / "multirun" / now.strftime("%Y-%m-%d") / f"{now:%H-%M-%S}_{uuid.uuid4().hex[:6]}"


def check_folder(folder: Path | None, command: str, kind: str, own: tuple[str, ...] = ()) -> None:
    """Refuse an output folder that exists and holds something else: it may be new, empty, an
    earlier folder of the same kind (its COMPLETE.json says so) or an unfinished one of the
    same command (holding one of `own`, e.g. jobs/, which a rerun resumes from)."""
    if folder is None or not folder.exists():
        return
    if not folder.is_dir():
        fail(f"'hydra.run.dir': {folder} is a file; allowed is a new folder or an earlier {command} folder")
    if not any(folder.iterdir()) or provenance.is_complete(folder, kind) or any((folder / n).exists() for n in own):
        return
    fail(f"'hydra.run.dir': {folder} exists and holds something else (no {provenance.MARKER} of {command}); "
         f"allowed is a new or empty folder, or an earlier {command} folder")


def begin_folder(folder: Path) -> None:
    """An output folder about to be (re)written: made, and not complete until `end_folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    provenance.clear_marker(folder)


def end_folder(folder: Path, kind: str, extra: dict | None = None) -> None:
    """Mark a folder complete: COMPLETE.json (versions, the command, when) is written last."""
    provenance.write_marker(folder, kind, extra)


def resume_command(command: str, argv: list[str], folder: Path) -> str:
    """The command line that resumes a study in `folder` (the same arguments, the same folder)."""
    args = " ".join(a for a in argv if not a.startswith("hydra.run.dir="))
    return f"python -m experiments.{command} {args} hydra.run.dir={folder}"


@contextlib.contextmanager
def resumable(resume: str):
    """Run a study's jobs; on Ctrl-C stop with status 130, saying how to resume (the finished
    runs are kept in the study's folder)."""
    try:
        yield
    except KeyboardInterrupt:
        print(f"\ninterrupted; finished runs are kept. Resume with:\n  {resume}", file=sys.stderr)
        raise SystemExit(130) from None


def stop_unless_done(outcome, resume: str, missing: str) -> None:
    """After a study's jobs: if any failed, report them and stop with status 1 before `missing`
    (the report, the indices, ...) is written, saying how to resume."""
    if not outcome.ok:
        print(f"{outcome.report()}\nno {missing} yet; finished runs are kept. Resume with:\n  {resume}",
              file=sys.stderr)
        raise SystemExit(1)
