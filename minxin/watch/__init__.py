"""Lookout posts: duty plans, check-ins, missed reports, fire incidents."""
