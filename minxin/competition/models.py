"""The civilised-unit competition: rubrics, rounds, flags, titles: the data and its constraints."""
