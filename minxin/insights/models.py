"""Aggregates the worker keeps current, and generated reports."""
