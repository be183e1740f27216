# drillsim: `make run` and `make test` work on a fresh machine (they create .venv and install into it).
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
RUNS   ?= runs

.PHONY: run run-scenarios dashboard browser test bench bench-quick bench-engines verify verify-report lint install clean
PORT   ?= 8501

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

## run: install, simulate every shipped scenario under each of its plans (results in runs/), then start the
## dashboard at http://localhost:$(PORT) (Ctrl+C stops it)
run: run-scenarios dashboard

run-scenarios: $(STAMP)
	@for f in scenarios/*.yaml; do \
	  name=$$(basename $$f .yaml); \
	  for plan in $$($(PY) -c "import sim; print(' '.join(p.id for p in sim.load_scenario('$$f').plans))"); do \
	    echo "== $$f  plan $$plan"; \
	    $(VENV)/bin/drillsim run $$f --plan $$plan --seed 1 --out $(RUNS)/$$name/$$plan || exit $$?; \
	    echo; \
	  done; \
	done

## dashboard: start the Streamlit dashboard at http://localhost:$(PORT)
dashboard: $(STAMP)
	$(VENV)/bin/drillsim dashboard --port $(PORT)

## browser: Debian's chromium (and CJK fonts) for the dashboard's end-to-end tests, installed if missing
browser:
	@which chromium >/dev/null 2>&1 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk)

## test: install, then lint (ruff, mypy on sim/) and run the whole test suite (unit, system, benchmark helpers)
test: $(STAMP) browser
	$(VENV)/bin/ruff check sim benchmarks tests dashboard scripts/dask-local-cluster
	$(VENV)/bin/mypy sim
	$(PY) -m pytest -q -n 2 --dist loadfile

## bench: the throughput benchmark of the crowd engine (README table), with JuPedSim side by side
bench: $(STAMP)
	$(PY) benchmarks/crowd_throughput.py --peer

bench-quick: $(STAMP)
	$(PY) benchmarks/crowd_throughput.py --quick

## verify: the RiMEA / IMO verification suite and the validation against data, both calibration profiles
verify: $(STAMP)
	$(VENV)/bin/drillsim verify --calibration both

## verify-report: rerun the full suite and rewrite docs/verification.md with its plots
verify-report: $(STAMP)
	$(PY) -m sim.verification.report

## bench-engines: response events/s, shelter coverage wall times, plan replications/min (README tables)
bench-engines: $(STAMP)
	$(PY) benchmarks/response_events.py --repeat 5
	$(PY) benchmarks/shelter_coverage.py
	$(PY) benchmarks/plans_throughput.py

lint: $(STAMP)
	$(VENV)/bin/ruff check sim benchmarks tests dashboard scripts/dask-local-cluster
	$(VENV)/bin/mypy sim

clean:
	rm -rf $(VENV) $(RUNS) .pytest_cache .mypy_cache .ruff_cache
