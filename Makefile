# Time Bank: the same commands natively and in Docker (see README.md).
PYTHON ?= python3

.PHONY: run test lint test-odoo i18n help

help:
	@echo "make run   - Odoo 18 with both modules and demo data on http://localhost:8069"
	@echo "make test  - fresh test database, install both modules, run every test"
	@echo "make lint  - ruff and pylint-odoo (OCA checks)"

run:
	$(PYTHON) scripts/timebank.py run

test:
	$(PYTHON) scripts/timebank.py test

test-odoo:
	$(PYTHON) scripts/timebank.py test --no-pytest

lint:
	$(PYTHON) scripts/timebank.py lint

i18n:
	$(PYTHON) scripts/timebank.py i18n
