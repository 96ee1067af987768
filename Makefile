# The two commands of the README. Each builds the project's own virtual
# environment from the pinned requirements when it is missing or stale.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check

.PHONY: demo test student-lab instructor-lab env test-env system-packages test-system-packages clean-env

demo: env system-packages
	$(BIN)/python -m demo

test: test-env test-system-packages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# JupyterLab on 127.0.0.1 with nbgrader's extensions (course lab --help).
student-lab: env
	@test -n "$(STUDENT)" || { echo "usage: make student-lab STUDENT=<id> [WORKSPACE=<folder>]" >&2; exit 2; }
	$(BIN)/course lab student --student "$(STUDENT)" $(if $(WORKSPACE),--workspace "$(WORKSPACE)")

instructor-lab: env
	$(BIN)/course lab instructor

env: $(VENV)/.runtime-stamp
test-env: $(VENV)/.test-stamp

# Student kernels run in a bubblewrap sandbox; the tests also need a Chromium
# and a PostgreSQL server. pip can install none of them.
system-packages:
	.ci/ensure-system-packages bubblewrap

test-system-packages:
	.ci/ensure-system-packages bubblewrap chromium postgresql

# The requirement files pin the whole environment, so pip installs them as they
# are (--no-deps) and pip check proves nothing is missing. Resolving them again
# would add what optional extras ask for, such as jsonschema's rfc3987-syntax,
# which builds a parser on import: 1.2 s more for every process that imports
# nbformat (each course or nbgrader command, each grading worker).
$(VENV)/.runtime-stamp: requirements/runtime.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -qq pip==25.3
	$(PIP) install -qq --no-deps -r requirements/runtime.txt
	$(PIP) install -qq --no-deps -e .
	$(PIP) check
	@touch $@

$(VENV)/.test-stamp: $(VENV)/.runtime-stamp requirements/test.txt
	$(PIP) install -qq --no-deps -r requirements/test.txt
	$(PIP) check
	@touch $@

clean-env:
	rm -rf $(VENV)
