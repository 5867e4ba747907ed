# Salama — the two commands first: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# Typed strictly: core; checked: every app's rules, access, services and queries (the modules a
# rule or a write lives in), wherever an app has split them into several files.
MYPY_TARGETS = salama/core $(wildcard salama/*/rules.py salama/*/rules salama/*/access.py \
	salama/*/services.py salama/*/queries.py salama/screening/lifecycle.py \
	salama/screening/vulnerability_services.py salama/referrals/transfers.py \
	salama/referrals/directory.py salama/referrals/packets.py salama/referrals/notifications.py \
	salama/referrals/overdue.py salama/referrals/downloads.py salama/referrals/collab.py \
	salama/referrals/collab_queries.py salama/referrals/urgency.py salama/cases/safety.py \
	salama/cases/reminders.py salama/cases/approvals.py salama/cases/approval_queries.py \
	salama/cases/best_interests.py salama/people/household.py salama/people/first_contact.py)

.PHONY: run test browser java lint check fmt messages demo-code clean

run: $(STAMP) java ## Set up, migrate the embedded SQLite database, load demo data, serve on :8000
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_data
	@echo
	@echo "Salama is at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@# Beside the server: a worker for the background tasks queued from the pages, and the
	@# reminders of overdue tasks and risk reviews every five minutes (emails go to the console).
	$(PY) manage.py db_worker --interval 5 --no-reload & W=$$!; \
	$(PY) manage.py reminders --every 300 --base-url http://$(HOST):$(PORT) & R=$$!; \
	trap 'kill $$W $$R 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# Two workers, one per core; a module's tests stay on one worker so its shared world is built once.
PYTEST_WORKERS ?= 2

test: $(STAMP) browser java ## The whole suite (SQLite, or PostgreSQL when DATABASE_URL points there)
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

browser: ## Debian's Chromium for the browser journeys (installed when missing and run as root)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Chromium (Debian: apt-get install chromium) to run the browser journeys"; exit 1; fi; }

java: ## Java for ODK Validate, which checks uploaded field forms (installed when missing, as root)
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
	  else echo "Install Java (Debian: apt-get install default-jre-headless) to check field forms"; exit 1; fi; }

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $(MYPY_TARGETS)

check: $(STAMP) ## Production settings pass check --deploy; models and migrations agree
	SALAMA_ENV=production DEBUG=0 SALAMA_DEMO=0 ALLOWED_HOSTS=salama.example \
	  SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  SALAMA_KEK="$$($(PY) -c 'import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')" \
	  SALAMA_INDEX_KEY="$$($(PY) -c 'import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')" \
	  SALAMA_AUDIT_KEY="$$($(PY) -c 'import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')" \
	  $(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

fmt: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: $(STAMP) ## Refresh translation catalogs and compile them
	cd salama && ../$(PY) ../manage.py makemessages -l fr -l es -l ar --no-obsolete --ignore "tests/*"
	cd salama && ../$(PY) ../manage.py compilemessages

demo-code: $(STAMP) ## make demo-code EMAIL=caseworker@nour.example
	@$(PY) manage.py demo_code $(EMAIL)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

clean:
	rm -rf $(VENV) staticfiles .mypy_cache .ruff_cache
