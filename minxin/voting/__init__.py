"""Public project voting: campaigns, ballots, results."""
