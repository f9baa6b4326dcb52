"""Every write of the competition, split by seam: rubrics, rounds, evidence, flags and titles."""
