# Two commands do all the set-up on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-slow test-latest lint bench install lock clean wheel-check docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Exact versions come from the committed lock (requirements.lock, made by
# `make lock`); the package itself installs on top without resolving anything.
$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@$(BIN)/python -c "import weasyprint" 2>/dev/null || echo "make: the PDF renderer \
	WeasyPrint cannot start: install Pango (Debian: apt-get install libpango-1.0-0 \
	libpangoft2-1.0-0) to write PDF reports"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/creditscore demo --out demo-out --entities 200

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -q -m "not slow"
	$(BIN)/python -m pytest -q --nbmake notebooks

# The documentation site: Sphinx (PyData theme, numpydoc, myst-nb), warnings as errors.
docs: $(STAMP)
	rm -rf docs/generated
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html
	@echo "make: the site is in docs/_build/html/index.html"

# The wheel on its own: built, installed into an empty venv, run from an empty folder.
wheel-check: $(STAMP)
	.ci/wheel-check $(BIN)/python

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_features.py --subjects 60000 --threads 1 --repeat 3 --floor

# The lock is refreshed on purpose, never by an install: `make lock` resolves
# the newest versions pyproject's ranges allow (for CPython 3.11 on x86_64
# Linux, the machines CI runs on) and rewrites requirements.lock; commit it
# once `make test` passes on it.
UV_VERSION := 0.13.8
LOCK_ARGS  := pyproject.toml --extra dev --extra spark --extra docs \
	--python-version 3.11 --python-platform x86_64-manylinux_2_28 \
	--custom-compile-command "make lock"
$(VENV)/uv/bin/uv:
	$(PYTHON) -m venv $(VENV)/uv
	$(VENV)/uv/bin/python -m pip install --quiet uv==$(UV_VERSION)

lock: $(VENV)/uv/bin/uv
	$(VENV)/uv/bin/uv pip compile $(LOCK_ARGS) --upgrade -o requirements.lock

# What the next releases break: a separate environment with the newest versions
# the ranges allow (nothing pinned), running the same tests.
LATEST := .venv-latest
test-latest:
	rm -rf $(LATEST)
	$(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST)/bin/python -m pip install --quiet --upgrade -e '.[dev,spark]'
	$(LATEST)/bin/python -m pip freeze --exclude-editable > $(LATEST)/versions.txt
	@echo "make: newest versions in $(LATEST)/versions.txt; diff against requirements.lock"
	$(LATEST)/bin/python -m pytest -q -m "not slow"

clean:
	rm -rf $(VENV) $(LATEST) demo-out .pytest_cache docs/_build docs/generated docs/notebooks dist build
