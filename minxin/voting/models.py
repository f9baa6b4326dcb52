"""Public project voting: campaigns, ballots, results: the data and its constraints."""
