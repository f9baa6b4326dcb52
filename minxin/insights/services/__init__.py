"""Writes of the insights app, split by seam: the aggregates the worker keeps current, the wall screen's
precomputed figures, and the generated monthly reports."""
