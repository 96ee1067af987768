"""End-to-end checks of the autograder: real nbgrader runs on generated submissions."""
