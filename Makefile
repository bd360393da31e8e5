# Kopā: `make run` serves the demo site, `make test` runs the tests. Both set themselves up.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.PHONY: install run serve test lint messages clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	mkdir -p var/static
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "Serving http://127.0.0.1:$(PORT)/ (English at /en/, admin at /admin/); Ctrl+C stops."
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Serve as in production (README "Deployment"): the production variables must be set (environment or .env).
serve: install
	DJANGO_SETTINGS_MODULE=config.settings.production $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.production $(PY) manage.py collectstatic --noinput
	DJANGO_SETTINGS_MODULE=config.settings.production $(VENV)/bin/gunicorn config.wsgi \
		-b 127.0.0.1:$(PORT) -w $(or $(WORKERS),2)

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

# Collect new UI strings into site/locale and compile the catalogues (needs GNU gettext).
messages: install
	$(PY) manage.py makemessages --locale lv --locale en --no-obsolete --add-location file \
		--ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*'
	$(PY) manage.py compilemessages --locale lv --locale en --ignore '.venv/*' --ignore 'var/*'

clean:
	rm -rf $(VENV) var
