# Local development entry points. Each install step is cheap when nothing changed, so
# a fresh clone needs only `make run` or `make test`: `run` installs what running needs
# (the app, the local host, Azurite, the web pages), `test` adds the test tools and the
# infra checkers and the browser the browser tests drive.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
VENV_PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.run-installed
DEV_STAMP := $(VENV)/.dev-installed
NPM_STAMP := node_modules/.package-lock-installed
WEB_STAMP := web/dist/.built
WEB_SOURCES := $(shell find web -path 'web/dist*' -prune -o -path web/app/api.gen.ts -prune -o -type f -print)
PYTEST_ARGS ?=
INFRA_VENV := .venv-infra
INFRA_PY := $(INFRA_VENV)/bin/python
INFRA_STAMP := $(INFRA_VENV)/.requirements-installed
PIP := -m pip install --disable-pip-version-check
# The browser tests drive Debian's chromium (Playwright's own browser download is not
# available everywhere); installed once with apt, as root or through sudo.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install install-run run test crash bench screenshots

install-run: $(RUN_STAMP) $(NPM_STAMP) $(WEB_STAMP)
install: install-run $(DEV_STAMP) $(INFRA_STAMP) $(CHROMIUM)

$(VENV_PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when a requirements file changed (each includes the one below it).
$(RUN_STAMP): requirements-local.txt requirements.txt | $(VENV_PY)
	$(VENV_PY) $(PIP) -r requirements-local.txt
	touch $@

$(DEV_STAMP): requirements-dev.txt $(RUN_STAMP)
	$(VENV_PY) $(PIP) -r requirements-dev.txt
	touch $@

$(INFRA_PY):
	$(PYTHON) -m venv $(INFRA_VENV)

# checkov and pycep-parser (tests/infra) live in their own venv: their tight pins must
# not clash with the app's dependencies, and running the app never needs them.
$(INFRA_STAMP): infra/requirements.txt | $(INFRA_PY)
	$(INFRA_PY) $(PIP) -r infra/requirements.txt
	touch $@

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

$(NPM_STAMP): package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The pages the app serves (web/dist, gitignored), rebuilt when a source or the build
# changes, when the API document (the app's types are generated from it) changes, or
# when `npm ci` brought other front-end packages.
$(WEB_STAMP): $(WEB_SOURCES) functions/openapi.json $(NPM_STAMP)
	npm run build --silent
	touch $@

run: install-run
	$(VENV_PY) -m localhost.run

test: install
	$(VENV_PY) -m pytest $(PYTEST_ARGS)

# The crash suite alone, with its figures (CRASH_KILLS, CRASH_SEED: see the README).
crash: install
	$(VENV_PY) -m pytest -n 0 -s tests/crash $(PYTEST_ARGS)

# The README's pictures (docs/images), as the browser tests take them in test-artifacts/.
SCREENSHOTS := workspace workspace-offer supervisor admin-account reports supervise-live
screenshots: install
	$(VENV_PY) -m pytest -q tests/browser/test_workspace.py tests/browser/test_distribution.py tests/browser/test_admin.py \
		tests/browser/test_reports.py
	cp $(SCREENSHOTS:%=test-artifacts/%.png) docs/images/

bench: install
	$(VENV_PY) -m bench
