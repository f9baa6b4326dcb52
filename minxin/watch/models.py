"""Lookout posts: duty plans, check-ins, missed reports, fire incidents: the data and its constraints."""
