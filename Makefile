# Footsteps: `make run` for a working local site with demo data, `make test` for the suite.
# Python 3.13: on the PATH, or from pyenv (see .python-version).
PYTHON ?= $(shell command -v python3.13 || ls -d $$HOME/.pyenv/versions/3.13*/bin/python 2>/dev/null | tail -n 1)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install lock schema lint check-migrations deploy-check bench clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.13 is needed (python3.13 on the PATH, or pyenv)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Development installs the locked development set (the running set plus test
# tools); production installs requirements.lock alone. Both carry hashes.
$(VENV)/.installed: $(BIN)/python requirements.lock requirements-dev.lock
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed

# Regenerate both locks from pyproject.toml after changing a dependency there.
lock: install
	$(BIN)/uv pip compile pyproject.toml --python-version 3.13 --generate-hashes --quiet \
		-o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --python-version 3.13 --generate-hashes --quiet \
		--extra dev -o requirements-dev.lock

run: install
	DEBUG=true $(BIN)/python manage.py migrate --no-input
	DEBUG=true $(BIN)/python manage.py seed_demo
	@echo "Starting the task worker and the web server on http://127.0.0.1:8000 (Ctrl-C stops both)"
	trap 'kill 0' EXIT INT TERM; \
	DEBUG=true $(BIN)/python manage.py db_worker --no-reload & \
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

# Tests always use config.test_settings (pyproject.toml), whatever the environment
# says; one worker per core (pytest-xdist), and the slowest tests are listed.
test: install
	DJANGO_SETTINGS_MODULE=config.test_settings $(BIN)/pytest -q -n auto --dist worksteal --durations=10 $(PYTEST_ARGS)

# The API's OpenAPI schema, committed so that a change to the API is seen in review.
schema: install
	DEBUG=true $(BIN)/python manage.py export_openapi_schema --api footsteps.api.api.api \
		--indent 2 --sorted --output footsteps/api/openapi.json

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

check-migrations: install
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

deploy-check: install
	SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(60))') \
	FOOTSTEPS_HTTPS=true DEBUG=false ALLOWED_HOSTS=footsteps.example \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

bench: install
	$(BIN)/python bench/journal_load.py

clean:
	rm -rf $(VENV) var/footsteps.sqlite3*
