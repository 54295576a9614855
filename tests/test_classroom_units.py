"""The classroom page's model entry point and lesson files, without a browser."""

import gc
import os
import subprocess
import sys
import weakref
from pathlib import Path

import numpy as np
import pytest

from classroom import lessons, levers
from classroom.simulation import GRID, PLACES, ClassroomModel
from model.config import ConfigError, get_value


def test_every_lever_comes_from_the_registry_with_today_inside_its_range():
    for lever in levers.LEVERS:
        assert lever.entry.kind == "lever"
        assert lever.low <= lever.today <= lever.high, lever.name
        assert lever.label("nl") and lever.label("en") and lever.unit


def test_levers_switch_on_only_when_moved_and_reach_the_config():
    scenario, baseline, _ = levers.build_configs(population=1000, light_help=1.0, rule_tweede="budget",
                                                 preventiefonds=True, fund_size=40.0)
    assert scenario.policies.wijkteam_light_help.enabled and scenario.policies.wijkteam_light_help.level == 1.0
    assert not scenario.policies.wijkteam_coverage.enabled  # left at today's value
    assert scenario.policies.financing_switch.enabled and scenario.policies.financing_switch.specialist_ggz == "budget"
    assert get_value(scenario, "policies.preventiefonds.contribution_per_resident") == 40.0
    assert not baseline.policies.wijkteam_light_help.enabled and not baseline.policies.preventiefonds.enabled
    assert scenario.seed == baseline.seed and scenario.population.size == baseline.population.size == 1000


@pytest.mark.parametrize("given, words", [
    ({"light_help": 1.7}, "'light_help': 1.7 is out of range"),
    ({"rule_nulde": "gratis"}, "'rule_nulde': 'gratis' is not allowed"),
    ({"population": 50}, "'population': 50 is out of range"),
    ({"preventiefonds": "yes"}, "'preventiefonds'"),
])
def test_a_bad_value_is_one_line_on_the_model_not_an_exception(given, words):
    model = ClassroomModel(**given)
    assert model.error and words in model.error and "\n" not in model.error
    model.step()  # does nothing
    assert model.month == 0 and not model.running


def test_steps_both_models_and_shows_the_neighbourhood():
    model = ClassroomModel(population=1000, seed=3, social_basis=2.0)
    assert model.error is None and model.month == 0 and model.sim.month == model.base.month == 0
    for _ in range(3):
        model.step()
    assert model.month == 3 and len(model.history) == len(model.baseline_history) == 3
    places = model.places()
    assert len(places) == min(GRID * GRID, 1000) and places.max() < len(PLACES)
    assert set(model.cumulative_spending()) == {"municipality", "insurer", "residents", "employers"}


def test_without_levers_the_scenario_equals_its_baseline():
    model = ClassroomModel(population=1000)
    for _ in range(2):
        model.step()
    assert all(abs(diff) < 1e-6 for _, _, diff in model.cumulative_spending().values())
    assert np.allclose(model.history[-1]["clients"], model.baseline_history[-1]["clients"])


def test_shipped_lessons_are_valid_and_cover_the_issue():
    found, errors = lessons.load_all()
    assert errors == [] and len(found) >= 5
    titles = {lesson.title["nl"] for lesson in found}
    for title in ("Wat doet een wijkteam?", "Per verrichting of budget?", "Preventiefonds: wie betaalt, wie profiteert?",
                  "Het afvoerputje", "Welzijn op Recept"):
        assert title in titles
    for lesson in found:
        assert lesson.question["nl"].endswith("?") and lesson.question["en"].endswith("?")
        assert ClassroomModel(**{**lesson.settings(), "population": 1000}).error is None


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "99_mine.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
title: {nl: Mijn les, en: My lesson}
watch: {nl: Kijk., en: Watch.}
question: {nl: "Waarom?", en: "Why?"}
levers:
  %s
"""


@pytest.mark.parametrize("levers_text, words", [
    ("wijkteam_size: 3", "99_mine.yaml: 'levers.wijkteam_size': unknown lever"),
    ("light_help: 2.5", "99_mine.yaml: 'levers.light_help': 2.5 is out of range; allowed is [0, 1]"),
    ("rule_tweede: free", "99_mine.yaml: 'levers.rule_tweede': 'free' is not allowed"),
])
def test_a_bad_lesson_names_file_and_key(tmp_path, levers_text, words):
    with pytest.raises(lessons.LessonError) as caught:
        lessons.load(_write(tmp_path, GOOD % levers_text))
    assert words in str(caught.value) and "\n" not in str(caught.value)


def test_a_lesson_needs_both_languages_and_known_keys(tmp_path):
    with pytest.raises(lessons.LessonError, match=r"99_mine.yaml: 'question.en': missing text"):
        lessons.load(_write(tmp_path, "title: {nl: a, en: b}\nwatch: {nl: a, en: b}\nquestion: {nl: a}\n"))
    with pytest.raises(lessons.LessonError, match=r"99_mine.yaml: 'colour': unknown key"):
        lessons.load(_write(tmp_path, (GOOD % "seed: 2") + "colour: red\n"))
    found, errors = lessons.load_all(tmp_path)
    assert found == [] and errors[0].startswith("99_mine.yaml:")
    assert lessons.load(_write(tmp_path, GOOD % "seed: 2")).levers == {"seed": 2}


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "..", "", "01_wijkteam.yaml",
                                  str(lessons.DEFAULT_FOLDER / "01_wijkteam.yaml"), None, 3, {"levers": {}}])
def test_a_lesson_is_chosen_by_name_only_never_by_path(name):
    found, _ = lessons.load_all()
    assert lessons.find(name, found) is None
    assert lessons.find("01_wijkteam", found).name == "01_wijkteam"


@pytest.mark.parametrize("given", [{"config": "configs/baseline.yaml"}, {"config_file": "/etc/passwd"},
                                   {"lesson": "../../etc/passwd"}, {"overrides": ["seed=2"]}])
def test_the_model_entry_point_refuses_unknown_keywords(given):
    with pytest.raises(TypeError):
        ClassroomModel(**given)
    with pytest.raises(ConfigError, match="unknown lever"):
        levers.settings_of(**given)


def test_release_frees_the_simulations_at_once_not_at_the_next_garbage_collection():
    model = ClassroomModel(population=1000)
    model.step()
    # the bulk: the residents and the monthly outcomes of both simulations (the simulation objects
    # themselves may wait for a collection: their agents refer to each other)
    gone = [weakref.ref(x) for sim in (model.sim, model.base) for x in (sim.res, sim.res.alive, sim.outcomes)]
    gc.disable()  # a full collection can be many minutes away in the page server
    try:
        model.release()
        assert [ref() for ref in gone] == [None] * len(gone)
    finally:
        gc.enable()
    assert model.sim is None and not model.running
    model.step()  # does nothing once released
    model.release()  # a second release (the session closing after a Reset) is harmless


# Sessions on several threads step, press Reset (the new model is built before the old one goes)
# and close. Measured at 3,000 residents: 12 MB stays after four such sessions when the freed
# memory goes back to the system, 64 MB when the C heap keeps it.
SESSIONS_ON_THREADS = """
import gc, threading
from classroom.simulation import ClassroomModel

def rss_mb():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024

def session():
    model = ClassroomModel(population=3000)
    for _ in range(3):
        for _ in range(12):
            model.step()
        new = ClassroomModel(population=3000)
        model.release()
        model = new
    model.release()

session()  # imports and compiles everything once
gc.collect()
before = rss_mb()
threads = [threading.Thread(target=session) for _ in range(4)]
for th in threads:
    th.start()
for th in threads:
    th.join()
gc.collect()
print(before, rss_mb())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux") or not Path("/proc/self/status").exists(),
                    reason="reads the process's memory from /proc (Linux)")
def test_sessions_on_threads_that_reset_and_close_give_their_memory_back():
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", SESSIONS_ON_THREADS], cwd=root, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(root)}, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    before, after = map(float, out.stdout.split()[-2:])
    assert after - before < 32, f"{after - before:.0f} MB kept after all sessions closed"


def test_sessions_composing_their_configurations_at_once_on_threads_all_succeed():
    # the page's sessions build their models (and so compose configurations) on their own threads;
    # Hydra keeps one global instance per process, which one composition would clear under another
    import threading
    from model import load_config

    sizes = [1000 + 100 * i for i in range(8)]
    got, failed = {}, []
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # threads take turns often, as they do on a busy server
    start = threading.Barrier(len(sizes))

    def compose(size):
        start.wait()
        try:
            for _ in range(3):
                got[size] = load_config("baseline", [f"population.size={size}"]).population.size
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            failed.append(f"{type(exc).__name__}: {exc}")

    workers = [threading.Thread(target=compose, args=(size,)) for size in sizes]
    for worker in workers:
        worker.start()
    try:
        for worker in workers:
            worker.join()
    finally:
        sys.setswitchinterval(interval)
    assert failed == [], failed[0]
    assert got == {size: size for size in sizes}
