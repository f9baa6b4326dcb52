"""Citizen ratings, the bad-review loop and honours: the data and its constraints."""
