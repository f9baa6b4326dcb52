"""Hand-written SQL of the competition (the only place for it; named parameters), split by seam:

- `facts`: the platform formulas' grouped statements over the queue, the cases and the ratings;
- `measures`: each formula's value and inputs per unit staged in a temporary table (PostgreSQL);
- `scoring`: a round's scores from the rubric's rows and the staged measures, set-based (PostgreSQL).
"""

from minxin.competition.sql.facts import (
    HONOURED_STARS,
    RANK_ROUND,
    cases_stats,
    queue_crowding,
    queue_stats,
    queue_wait_p90,
    rank_round,
    ratings_attitude,
    ratings_stats,
    tune_for_compute,
    unit_rows,
)
from minxin.competition.sql.measures import MEASURES, stage_measures, staged_measures
from minxin.competition.sql.scoring import score_round

__all__ = [
    "HONOURED_STARS",
    "MEASURES",
    "RANK_ROUND",
    "cases_stats",
    "queue_crowding",
    "queue_stats",
    "queue_wait_p90",
    "rank_round",
    "ratings_attitude",
    "ratings_stats",
    "score_round",
    "stage_measures",
    "staged_measures",
    "tune_for_compute",
    "unit_rows",
]
