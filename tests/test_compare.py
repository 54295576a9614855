"""The scenario comparison: common random numbers narrow the intervals, bad input stops before
anything runs, and a small comparison writes the report with its tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import research
from analysis.comparison import compare
from experiments.compare import gather, parse, plan, run_all

REPO = Path(__file__).resolve().parent.parent
SMALL = ["population.size=2000", "years=2"]


def compare_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "experiments.compare", *args], cwd=REPO, capture_output=True,
                          text=True, check=False)


def test_common_random_numbers_give_clearly_narrower_intervals(tmp_path):
    """Same replications, same scenario pair: with common random numbers the interval on the
    difference is much narrower than with independent seeds (model: about a tenth as wide)."""
    widths = {}
    for crn in ("true", "false"):
        opts, overrides, _, _ = parse(["scenarios=[sociale_basis]", "replications=4", f"crn={crn}",
                                    "population.size=1500", "years=2"])
        configs, jobs = plan(opts, overrides)
        store = tmp_path / "jobs"   # shared: the baseline runs are the same in both designs
        runs = gather(jobs, run_all(jobs, store, research.Serial()))
        meta = {"netherlands_population": 17_811_291, "start_year": 2025, "scenarios": list(configs)}
        d = compare(runs, list(configs), meta).differences.set_index(["metric", "line", "financier", "group"])
        widths[crn] = {m: d.loc[m, "high"] - d.loc[m, "low"] for m in
                       [("unmet_need", "", "", ""), ("cost", "", "", ""), ("clients", "tweede", "", "")]}
    for measure in widths["true"]:
        assert widths["true"][measure] < 0.5 * widths["false"][measure], measure


@pytest.mark.parametrize("args,key", [
    (["scenarios=[baseline,utopia]"], "utopia"),
    (["scenarios=[preventiefonds+atlantis]"], "atlantis"),
    (["population.sizee=100"], "population.sizee"),
    (["population.size=-5"], "population.size"),
    (["lang=fr"], "lang"),
    (["replications=1"], "replications"),
    (["crn=maybe"], "crn"),
    (["executor=threads"], "executor"),
    (["scenario=preventiefonds"], "scenarios=[a,b,a+b]"),
])
def test_bad_input_stops_with_one_line_and_no_folder(tmp_path, args, key):
    folder = tmp_path / "report"
    proc = compare_cli(*args, f"hydra.run.dir={folder}")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert key in lines[0] and "allowed" in lines[0]
    assert "Traceback" not in proc.stderr
    assert not list(tmp_path.iterdir())


def test_an_existing_folder_that_is_no_report_is_left_alone(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    proc = compare_cli("replications=2", *SMALL, f"hydra.run.dir={tmp_path}")
    assert proc.returncode == 2 and "hydra.run.dir" in proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


COMPARE = ["scenarios=[bezuiniging_sociale_basis,preventiefonds+ontschotting]", "replications=2", "lang=nl",
           "mechanisms=false", *SMALL]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """One small comparison shared by the tests below."""
    folder = tmp_path_factory.mktemp("compare") / "report"
    proc = compare_cli(*COMPARE, f"hydra.run.dir={folder}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert str(folder / "report.html") in proc.stdout
    return folder


def test_small_comparison_writes_the_report_and_its_tables(report):
    for name in ("report.html", "report.md", "differences.csv", "differences.parquet", "who_pays.csv", "roi.csv",
                 "roi_by_year.csv", "baseline_drift.csv", "monthly.csv", "flows.csv", "configs/baseline.yaml",
                 "figures/volume.png"):
        assert (report / name).is_file(), name
    assert not report.with_name("report.partial").exists()

    diff = pd.read_csv(report / "differences.csv", keep_default_na=False)
    assert {"scenario", "metric", "line", "financier", "domain", "mean", "low", "high"} <= set(diff.columns)
    assert set(diff["scenario"]) == {"bezuiniging_sociale_basis", "preventiefonds+ontschotting"}
    assert {"cost", "clients", "crises", "waiting_months", "unmet_need", "health", "health_gap"} <= set(diff["metric"])
    numeric = diff[["mean", "low", "high"]].apply(pd.to_numeric)
    assert (numeric["low"] <= numeric["mean"]).all() and (numeric["mean"] <= numeric["high"]).all()

    page = (report / "report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 5 and 'src="figures/' not in page
    assert "Wie betaalt, wie bespaart" in page and "Risicoscenario" in page

    # the ROI states its horizon and discount rate, and is not applicable where the nulde lijn spends less
    roi = pd.read_csv(report / "roi.csv", keep_default_na=False).set_index("scenario")
    cut = roi.loc["bezuiniging_sociale_basis"]
    assert str(cut["applicable"]) == "False" and cut["roi"] == "" and cut["reason"] == "negative"
    assert (roi["horizon_years"] == 2).all() and (roi["first_year"] == 2025).all() and (roi["last_year"] == 2026).all()
    assert (roi["discount_rate"] == 0.03).all()
    assert "de nulde lijn geeft minder uit dan in het huidige stelsel" in page
    assert "de 2 gesimuleerde jaren 2025–2026" in page and "verdisconteerd met 3,0% per jaar" in page
    by_year = pd.read_csv(report / "roi_by_year.csv")
    assert len(by_year) == 2 * 2 and {"roi_year", "roi_cumulative", "avoided_care_share"} <= set(by_year.columns)
    drift = pd.read_csv(report / "baseline_drift.csv", keep_default_na=False)
    assert set(drift["line"]) == {"nulde", "eerste", "tweede", ""}
    assert "Verloop van het huidige stelsel over de horizon" in page
    assert "](figures/volume.png)" in (report / "report.md").read_text(encoding="utf-8")


def test_a_second_start_reuses_the_finished_runs(report):
    cached = {p: p.stat().st_mtime_ns for p in (report / "jobs").glob("*.pkl")}
    assert len(cached) == 3 * 2
    proc = compare_cli(*COMPARE, f"hydra.run.dir={report}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert {p: p.stat().st_mtime_ns for p in (report / "jobs").glob("*.pkl")} == cached
    assert (report / "report.html").is_file()


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Debian chromium")
def test_report_renders_in_headless_chromium(report, tmp_path):
    shot = tmp_path / "shot.png"
    subprocess.run(["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update", "--no-first-run",
                    "--disable-sync", f"--screenshot={shot}", "--window-size=1280,2000",
                    (report / "report.html").as_uri()], capture_output=True, timeout=120, check=False)
    assert shot.is_file() and shot.stat().st_size > 50_000  # a blank page is a few kB
