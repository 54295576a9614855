"""A study: many jobs run on an executor, each result stored as it finishes.

Rerunning a study with the same folder skips its finished jobs and runs the others, the
failed ones included. A job that fails is recorded with its error and does not stop the
others; the study reports how many failed and the caller decides what that means.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from tqdm import tqdm

from research.executors import Executor, Serial
from research.jobs import Done, Failed, Job, run_job
from research.store import Store


@dataclass
class Outcome:
    """What a study produced: finished jobs by key, and the failed ones with their errors."""
    jobs: list[Job]
    done: dict[str, Done] = field(default_factory=dict)
    failed: dict[str, Failed] = field(default_factory=dict)
    folder: Path | None = None
    skipped: int = 0  # finished in an earlier start, not run again

    def value(self, job: Job) -> Any:
        """What the job's reducer kept (KeyError if the job failed)."""
        return self.done[job.key].value

    def seconds(self, job: Job) -> float:
        return self.done[job.key].seconds

    @property
    def ok(self) -> bool:
        return not self.failed

    def failures(self) -> list[tuple[Job, Failed]]:
        by_key = {job.key: job for job in self.jobs}
        return [(by_key[key], failed) for key, failed in self.failed.items()]

    def extend(self, other: "Outcome") -> None:
        """Take in the jobs of a later study (a second batch of the same command)."""
        self.jobs += other.jobs
        self.done.update(other.done)
        self.failed.update(other.failed)
        self.skipped += other.skipped

    def report(self) -> str:
        """One line per failed job and where its error is kept; empty when none failed."""
        if self.ok:
            return ""
        where = f" (errors in {self.folder}/*.error.json)" if self.folder else ""
        lines = [f"{len(self.failed)} of {len(self.done) + len(self.failed)} runs failed{where}; "
                 "rerun the same command to retry them:"]
        lines += [f"  {job.label or job.key} seed {job.seed}: {failed.error}" for job, failed in self.failures()]
        return "\n".join(lines)


def run_study(jobs: Sequence[Job], executor: Executor | None = None, folder: str | Path | None = None,
              desc: str = "runs", progress: bool = True) -> Outcome:
    """Run every job that is not finished in `folder` on `executor` (default: serial), storing
    each result as it arrives, with a progress bar of jobs done, failed and time left.

    Without a folder nothing is stored or resumed (benchmarks time every run afresh). Jobs
    with the same key run once.
    """
    executor = executor or Serial()
    store = Store(folder) if folder is not None else None
    unique = list({job.key: job for job in jobs}.values())
    outcome = Outcome(list(jobs), folder=Path(folder) if folder is not None else None)
    todo = []
    for job in unique:
        if store is not None and store.finished(job.key):
            outcome.done[job.key] = store.load(job.key)
        else:
            todo.append(job)
    outcome.skipped = len(outcome.done)
    by_key = {job.key: job for job in todo}
    bar = tqdm(total=len(unique), initial=outcome.skipped, desc=desc, unit="run", file=sys.stderr,
               dynamic_ncols=True, disable=not progress)
    try:
        for record in executor.run(run_job, todo) if todo else ():  # nothing to do: start no workers
            job = by_key[record.key]
            if isinstance(record, Done):
                outcome.done[record.key] = record
                if store is not None:
                    store.save(record)
            else:
                outcome.failed[record.key] = record
                if store is not None:
                    store.save_error(job, record)
            failed = f"{len(outcome.failed)} failed" if outcome.failed else ""
            bar.set_postfix_str(", ".join(filter(None, [failed, job.label])), refresh=False)
            bar.update(1)
    finally:
        bar.close()
    return outcome
