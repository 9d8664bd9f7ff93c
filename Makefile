# The two commands: `make book` (set-up, every run, analysis, the built book) and
# `make test` (set-up and the whole test suite). Both work on a fresh clone.
# `make test-fast` is the unit tests alone (no nbval, no training, no kernels): about a minute.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test test-fast book runs html notebooks demo-results sync clean

install: $(STAMP)

# Re-installs only when the package metadata or the pins change.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

test: install
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest tests -m "not slow and not training"

book: install runs html

# Every run of both studies (resuming what is already complete), each followed by its analysis.
runs: install
	$(BIN)/toyexp sweep params/sweep.yaml --resume
	$(BIN)/toyexp sweep params/regimes.yaml --resume

html: install
	$(BIN)/jupyter-book build book -W -n --keep-going
	@echo "The book: book/_build/html/index.html"

# `make notebooks` re-executes the committed notebooks (quick preset) after an edit;
# `make sync` only re-pairs notebooks/*.py and notebooks/*.ipynb.
notebooks: install
	$(BIN)/jupytext --sync notebooks/*.py
	for nb in notebooks/*.ipynb; do $(BIN)/jupyter nbconvert --to notebook --execute --inplace $$nb || exit 1; done
	$(BIN)/jupytext --sync notebooks/*.py

# `make demo-results` runs the demo sweep (params/demo.yaml): the tiny runs (six per task) the analysis
# notebook reads when run as is (notebooks/demo-results, committed; about 45 s); follow it with `make notebooks`.
demo-results: install
	$(BIN)/python -c "from toyexp.study.sweep import write_demo_results; print(write_demo_results())"

sync: install
	$(BIN)/jupytext --sync notebooks/*.py

clean:
	rm -rf book/_build book/runs outputs regimes-outputs book/_toc.yml book/tasks book/tasks.md book/abstract.md book/*.headline.md \
		book/analysis.ipynb book/analysis.md book/regimes.ipynb book/regimes.md
