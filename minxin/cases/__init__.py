"""One-window cases: intake, deadlines, e-supervision, delivery."""
