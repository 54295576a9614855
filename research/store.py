"""Results of a study on disk, one file per job, so a study resumes where it stopped.

`<folder>/<key>.pkl` holds a finished job (`Done`), `<key>.error.json` the error of a job that
failed (it is run again next time). Every file is written to a temporary file in the same
folder and renamed into place, so a file under its final name is always complete: a run
interrupted while writing leaves no result that looks finished.
"""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

from model.provenance import write_atomic  # one writer for every output file, here for jobs
from research.jobs import Done, Failed, Job

class Store:
    """The finished and failed jobs of a study in one folder."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def result_path(self, key: str) -> Path:
        return self.folder / f"{key}.pkl"

    def error_path(self, key: str) -> Path:
        return self.folder / f"{key}.error.json"

    def finished(self, key: str) -> bool:
        return self.result_path(key).is_file()

    def load(self, key: str) -> Done:
        with open(self.result_path(key), "rb") as f:
            return pickle.load(f)

    def save(self, done: Done) -> None:
        """Keep a finished job (atomically) and forget an earlier failure of it."""
        self._write(self.result_path(done.key), pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL))
        self.error_path(done.key).unlink(missing_ok=True)

    def save_error(self, job: Job, failed: Failed) -> None:
        record = {"key": failed.key, "label": job.label, "seed": job.seed, "reducer": job.reducer,
                  "error": failed.error, "traceback": failed.traceback}
        self._write(self.error_path(failed.key), json.dumps(record, indent=2).encode())

    def errors(self) -> list[dict]:
        """Every recorded failure (label, seed, error line)."""
        return [json.loads(p.read_text()) for p in sorted(self.folder.glob("*.error.json"))]

    def prune(self, keep: set[str]) -> None:
        """Remove results and errors of jobs not in `keep`, and leftover temporary files."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            key = path.name.split(".")[0]
            if path.is_file() and (path.name.startswith(".") or key not in keep):
                path.unlink()

    def _write(self, path: Path, data: bytes) -> None:
        def write(tmp):
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        write_atomic(path, write)
