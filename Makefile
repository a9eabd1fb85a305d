# Local development entry points. `make install` is cheap when nothing changed,
# so every other target depends on it and a fresh clone needs only `make test`.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
VENV_PY := $(VENV)/bin/python
PIP_STAMP := $(VENV)/.requirements-installed
NPM_STAMP := node_modules/.package-lock-installed
PYTEST_ARGS ?=
INFRA_VENV := .venv-infra
INFRA_PY := $(INFRA_VENV)/bin/python
INFRA_STAMP := $(INFRA_VENV)/.requirements-installed

.PHONY: install run test bench

install: $(PIP_STAMP) $(NPM_STAMP) $(INFRA_STAMP)

$(VENV_PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when a requirements file changed (requirements-dev.txt includes requirements.txt).
$(PIP_STAMP): requirements-dev.txt requirements.txt | $(VENV_PY)
	$(VENV_PY) -m pip install --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(INFRA_PY):
	$(PYTHON) -m venv $(INFRA_VENV)

# checkov and pycep-parser (tests/infra) live in their own venv: their tight pins must
# not clash with the app's dependencies.
$(INFRA_STAMP): infra/requirements.txt | $(INFRA_PY)
	$(INFRA_PY) -m pip install --disable-pip-version-check -r infra/requirements.txt
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
