# The two commands of the README. Each builds the project's own virtual
# environment from the pinned requirements when it is missing or stale.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check

.PHONY: demo test env test-env system-packages clean-env

demo: env system-packages
	$(BIN)/python -m course.demo

test: test-env system-packages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

env: $(VENV)/.runtime-stamp
test-env: $(VENV)/.test-stamp

# Student kernels run in a bubblewrap sandbox; pip cannot install it.
system-packages:
	.ci/ensure-system-packages bubblewrap

$(VENV)/.runtime-stamp: requirements/runtime.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -qq pip==25.3
	$(PIP) install -qq -r requirements/runtime.txt
	$(PIP) install -qq --no-deps -e .
	@touch $@

$(VENV)/.test-stamp: $(VENV)/.runtime-stamp requirements/test.txt
	$(PIP) install -qq -r requirements/test.txt
	@touch $@

clean-env:
	rm -rf $(VENV)
