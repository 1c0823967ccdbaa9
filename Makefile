# The two commands: `make run` (platform with demo data on SQLite) and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PYTHON ?= python3
HOST   ?= 127.0.0.1:8000

.PHONY: run test setup data browser-deps messages clean-db

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_regions --quiet-report
	$(PY) manage.py seed_demo
	$(PY) manage.py generate_national --scale 0.01 --if-empty
	$(PY) manage.py seed_demo_work

# DEBUG stays off (no tracebacks in answers; XIEZUO_DEBUG=1 turns it on); WhiteNoise serves
# the static files.
run: setup
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py runserver $(HOST)

browser-deps:
	@bash scripts/ensure-browser.sh

test: $(VENV)/.installed browser-deps
	$(PY) -m pytest $(PYTEST_ARGS)

messages: $(VENV)/.installed
	PY=$(PY) scripts/fold_messages.sh

clean-db:
	rm -f db.sqlite3
