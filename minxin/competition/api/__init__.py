"""The competition API (one ninja Router, mounted under /api/v1/ by minxin.api), split by resource; each
part registers its operations on the router when imported."""

from minxin.competition.api import flags, rounds, rubrics, scores  # noqa: F401 - they register their routes
from minxin.competition.api.base import round_or_404, router
from minxin.competition.api.scores import unit_score_out

__all__ = ["round_or_404", "router", "unit_score_out"]
