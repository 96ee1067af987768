"""Instructor tooling for the Compression course: build, release and grade."""
