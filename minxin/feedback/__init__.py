"""Citizen ratings, the bad-review loop and honours."""
