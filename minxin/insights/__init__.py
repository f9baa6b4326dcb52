"""Dashboards and reports above a hall: city and province views, the wall screen, monthly reports."""
