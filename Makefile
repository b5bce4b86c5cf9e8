# mmsolotrack developer entry points. The pins live in requirements/*.txt; this
# file only orchestrates. `make install` builds .venv/ from scratch, `make test`
# runs the suite, `make demo` is the README's quickstart.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
TORCH_REQ ?= requirements/torch.txt
STAMP := $(VENV)/.mmsolotrack-installed
REQS := $(wildcard requirements/*.txt) setup.py
PYTEST_ARGS ?=

.PHONY: install test demo bench clean-venv help

help:
	@echo "make install   create $(VENV)/ with torch (CPU), mmcv 2.1.0 (ops), mmdet 3.3.0, mmpose 1.3.2, mim, mmsolotrack"
	@echo "make test      run the test suite (installs first if needed)"
	@echo "make demo      quickstart: SynthVIS -> train tiny model -> track val -> metrics"
	@echo "make bench     side-by-side SynthVIS benchmark"

install: $(STAMP)

$(STAMP): $(REQS)
	@$(PYTHON) tools/misc/check_python.py
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -r requirements/build.txt
	$(PIP) install -q -r $(TORCH_REQ)
	$(PIP) install -q -r requirements/runtime.txt
	MMCV_WITH_OPS=1 MAX_JOBS=$${MAX_JOBS:-2} $(PIP) install --no-build-isolation -r requirements/mmcv.txt
	$(PIP) install -q --no-deps -r requirements/mim.txt
	$(PIP) install -q -r requirements/mim_deps.txt
	$(PIP) install -q --no-deps -r requirements/mmpose.txt
	$(PIP) install -q --no-deps --no-binary xtcocotools -r requirements/xtcocotools.txt
	$(PIP) install -q -r requirements/tests.txt
	$(PIP) install -q -r requirements/build.txt
	$(PIP) install --no-build-isolation --no-deps -e .
	$(PY) tools/misc/check_env.py
	@touch $(STAMP)

test: install
	$(PY) -m pytest tests $(PYTEST_ARGS)

demo: install
	$(PY) tools/misc/quickstart.py

bench: install
	$(PY) tools/analysis_tools/benchmark_synthvis.py

clean-venv:
	rm -rf $(VENV)
