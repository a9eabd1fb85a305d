# Local development entry points. `make install` is cheap when nothing changed,
# so every other target depends on it and a fresh clone needs only `make test`.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
VENV_PY := $(VENV)/bin/python
PIP_STAMP := $(VENV)/.requirements-installed
NPM_STAMP := node_modules/.package-lock-installed
PYTEST_ARGS ?=

.PHONY: install run test bench

install: $(PIP_STAMP) $(NPM_STAMP)

$(VENV_PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when a requirements file changed (requirements-dev.txt includes requirements.txt).
$(PIP_STAMP): requirements-dev.txt requirements.txt | $(VENV_PY)
	$(VENV_PY) -m pip install --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(NPM_STAMP): package-lock.json
	npm ci --no-audit --no-fund
	touch $@

run: install
	$(VENV_PY) -m localhost.run

test: install
	$(VENV_PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(VENV_PY) -m bench
