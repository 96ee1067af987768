"""The compression assignment: its chapter (``chapter/``), the teacher's training (``teacher``), the demo's example class (``examples``)."""

ASSIGNMENT = "compression"
