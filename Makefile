# Two commands do all the set-up on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-slow lint bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
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

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_features.py --subjects 60000 --threads 1 --repeat 3 --floor

clean:
	rm -rf $(VENV) demo-out .pytest_cache
