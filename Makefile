# `make run` serves the bundled samples; `make test` runs the whole suite. Both install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DIR ?= data/demo
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run demo-data test bench clean check-system

install: $(VENV)/.installed

check-system:
	@$(PYTHON) -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 'Python 3.11 or newer is needed (found ' + sys.version.split()[0] + ')')"
	@$(PYTHON) -c "import ctypes.util, sys; sys.exit(0 if ctypes.util.find_library('magic') else 'libmagic is missing: install the system package libmagic1 (Debian/Ubuntu: sudo apt-get install libmagic1; macOS: brew install libmagic)')"
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || echo "warning: PostgreSQL is missing: the tests of the catalog on PostgreSQL are skipped (Debian/Ubuntu: sudo apt-get install postgresql); under CI=true they fail without it." >&2
	@command -v tesseract >/dev/null || echo "warning: tesseract is missing: scanned pages will wait for OCR (\`archive ocr\` reads them once it is installed). Debian/Ubuntu: sudo apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-spa tesseract-ocr-osd; under CI=true the OCR tests fail without it." >&2

$(VENV)/.installed: pyproject.toml | check-system
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@# pip compiles what it installs, not an editable project: compiled here, every command (and every
	@# load's worker) starts ~0.15 s sooner where bytecode is not written at run time (PYTHONDONTWRITEBYTECODE).
	$(BIN)/python -m compileall -q archive indexer web >/dev/null
	@touch $@

DEMO_USER ?= demo
DEMO_PASSWORD ?= demo-archive-password

demo-data: install
	$(BIN)/archive --data-dir $(DEMO_DIR) load --manifest samples/manifest.csv
	@$(BIN)/archive --data-dir $(DEMO_DIR) user list | grep -q '^$(DEMO_USER) ' || \
	  echo '$(DEMO_PASSWORD)' | $(BIN)/archive --data-dir $(DEMO_DIR) user add $(DEMO_USER) --role admin --password-stdin
	@echo "Demo sign-in (local demo data only): $(DEMO_USER) / $(DEMO_PASSWORD)"

run: demo-data
	$(BIN)/archive --data-dir $(DEMO_DIR) serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) data/demo .pytest_cache
