"""Many runs of the model, on any executor: the one way sweeps, comparisons, calibration, the
CPB replay and the benchmarks start runs.

    >>> from research import Job, Processes, run_study
    >>> jobs = [Job(config, seed, "analysis.extract:extract", label="baseline") for seed in (1, 2, 3)]
    >>> with Processes(workers=2) as executor:
    ...     outcome = run_study(jobs, executor, folder="results/study/jobs")
    >>> outcome.value(jobs[0])            # what the reducer kept of the first run

Layering: model <- analysis <- research <- experiments. research imports model (and reducers
by name); model and analysis never import research.
"""

from research.executors import Dask, Executor, Processes, Serial, Slurm
from research.jobs import Done, Failed, Job, run_job
from research.options import EXECUTORS, KEYS, OptionError, make_executor
from research.store import Store
from research.study import Outcome, run_study

__all__ = ["Dask", "Done", "EXECUTORS", "Executor", "Failed", "Job", "KEYS", "OptionError", "Outcome", "Processes",
           "Serial", "Slurm", "Store", "make_executor", "run_job", "run_study"]
