"""Reads of the feedback app: rating statistics (`figures`), the loop's lists and disclosure (`loop`),
honours (`honours`). The names other apps and the pages use are re-exported here."""

from minxin.feedback.selectors.figures import (
    Figures,
    Group,
    HallSummary,
    Period,
    hall_summary,
    month_bounds,
    rating_figures,
    rating_figures_map,
    ratio,
)
from minxin.feedback.selectors.honours import current_honours, honour_roll, star_clerk_ids
from minxin.feedback.selectors.loop import disclosure_bad_reviews, rectifications_for

__all__ = [
    "Figures",
    "Group",
    "HallSummary",
    "Period",
    "current_honours",
    "disclosure_bad_reviews",
    "hall_summary",
    "honour_roll",
    "month_bounds",
    "rating_figures",
    "rating_figures_map",
    "ratio",
    "rectifications_for",
    "star_clerk_ids",
]
