# Set-up is part of every target: a fresh machine needs only Python 3.12 or newer.
PYTHON ?= $(shell command -v python3.12 || command -v python3.13 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)

.PHONY: run baseline test bench docs lock clean app

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "carelines needs Python 3.12 or newer; found " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $@

# the main job: every named scenario against today's system on the default region, as a report
COMPARE ?= replications=5 years=10

run: $(STAMP)  ## scenario comparison report for the default region (prints where the report is)
	$(BIN)/python -m experiments.compare $(COMPARE)

baseline: $(STAMP)  ## one run of today's system on the default region
	$(BIN)/python -m experiments.run

test: $(STAMP)  ## the test suite, its files spread over two processes (one per core of the reference machine)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

# the classroom page; HOST=0.0.0.0 serves it to the local network (a class), PORT to move it
HOST ?= localhost
PORT ?= 8765

app: $(STAMP)  ## the classroom page at http://localhost:8765 (make app HOST=0.0.0.0 for a class on the local network)
	SOLARA_TELEMETRY_MIXPANEL_ENABLE=False PYTHONPATH=$(CURDIR) $(BIN)/solara run classroom.app --production \
		--no-check-version --host $(HOST) --port $(PORT)

bench: $(STAMP)  ## speed and memory figures, written to benchmarks/results.json (long: about half an hour)
	$(BIN)/python -m benchmarks.run

docs: $(STAMP)  ## regenerate docs/parameters.md from the config schema and the default configs
	$(BIN)/python -m analysis.parameter_dictionary

lock: $(STAMP)  ## refresh the pinned versions after changing dependencies
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

clean:
	rm -rf $(VENV) outputs multirun .pytest_cache
