"""One-window cases: intake, deadlines, e-supervision, delivery: the data and its constraints."""
