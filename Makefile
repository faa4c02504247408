# One target per habit. Every target installs what it needs into .venv/ first.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
STAMP := .venv/.installed-$(shell cat requirements/*.txt pyproject.toml | sha1sum | cut -c1-12)


.PHONY: setup web demo local test test-clock test-fast lint bench bench-ocr train train-smoke synth deploy clean

setup: $(STAMP)

$(STAMP):
	@test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements/dev.txt
	$(PIP) install -q --no-deps -e .
	@bash scripts/install_fonts.sh || echo "fonts: using bundled fallbacks"
	@rm -f .venv/.installed-* && touch $(STAMP)

# The web apps (web/): Chromium for the browser tests (Debian package, as root), Playwright,
# the pinned npm tree, the typed client from the OpenAPI document, the offline base map, the build.
web: setup
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } || echo "web: chromium missing (install as root); browser tests will skip"
	$(PIP) install -q -r web/requirements.txt
	cd web && npm ci --no-audit --no-fund --silent
	@mkdir -p web/src/generated
	$(PY) -m anpr.kernel.openapi > web/openapi.json
	$(PY) -m local.web basemap web/src/generated/basemap.json
	cd web && npm run --silent openapi && npm run --silent build && npx vitest run --silent

demo: setup
	$(PY) -m local.demo

local: setup
	$(PY) -m local.serve $(if $(PORT),--port $(PORT)) $(if $(API_PORT),--api-port $(API_PORT)) $(if $(WEB_PORT),--web-port $(WEB_PORT)) $(if $(EMPTY),--empty)

test: setup web
	$(PY) -m pytest -q -n 2 --dist loadgroup
	bash scripts/clock_check.sh

# the date-sensitive part of the suite with the clock 45 and 400 days ahead (faketime)
test-clock: setup
	bash scripts/clock_check.sh

test-fast: setup
	$(PY) -m pytest -q -m "not e2e and not slow"

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

bench: setup
	$(PY) -m bench.run

bench-ocr: setup
	$(PIP) install -q -r requirements/bench.txt
	$(PY) -m bench.ocr_bench

train: setup
	$(PIP) install -q -r requirements/train.txt
	$(PY) -m training.train --mode full

train-smoke: setup
	$(PIP) install -q -r requirements/train.txt
	$(PY) -m training.train --mode smoke

# Stopgap while build machines still run Node 20 (end-of-life since 2026-10-30): synth is offline,
# so jsii's end-of-life banner is silenced for it only. Deploys need Node 22 or 24 (infra/deploy.sh
# checks; README "Deploying"); drop this line once every machine has Node 22+.
synth: export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION = 1
synth: setup
	npm ci --no-audit --no-fund --silent
	npx cdk synth --quiet

deploy: setup
	bash infra/deploy.sh

clean:
	rm -rf cdk.out .local-runtime
