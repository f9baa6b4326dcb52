"""The civilised-unit competition: rubrics, rounds, flags, titles."""
