"""Measuring models: parameter counts, memory, latency, weight statistics."""
