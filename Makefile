# newsclean: `make demo` installs and cleans the samples; `make test` installs and runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test rules-check bench-aeb bench-html bench-speed clean

install: $(STAMP)

# pip is upgraded first: pip 23.2 misreads lxml[html-clean] and trafilatura then fails to import.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: install
	@for f in samples/*.txt; do \
	  case $$f in *.expected.txt) continue;; esac; \
	  echo "==================== $$f"; \
	  $(BIN)/newsclean clean $$f --with-metadata; \
	done

test: install
	$(BIN)/python -m pytest -q

rules-check: install
	$(BIN)/newsclean rules check

# Figures for the README (need ../shared/bench): text renderings, HTML, speed and memory.
bench-aeb: install
	$(BIN)/python scripts/evaluate.py --seeds $(ARGS)

bench-html: install
	$(BIN)/python scripts/bench_html.py $(ARGS)

bench-speed: install
	$(BIN)/python scripts/bench_speed.py $(ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
