"""The plausible mistakes, one module per contract function (see ``tests.grading.mutants``)."""
