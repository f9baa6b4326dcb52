"""Pages of the competition: the public honour board, unit pages, certificates and questionnaires; the
staff pages of rounds (officer), the assessor's phone inspection page and the evidence of each score."""

from minxin.competition.views.flags import flag_action, title_action
from minxin.competition.views.inspect import inspect
from minxin.competition.views.public import certificate, honour_board, round_ranking, survey, unit_page
from minxin.competition.views.rounds import round_action, round_open_view, round_page, staff_home
from minxin.competition.views.scores import unit_score, unit_score_action

__all__ = [
    "certificate",
    "flag_action",
    "honour_board",
    "inspect",
    "round_action",
    "round_open_view",
    "round_page",
    "round_ranking",
    "staff_home",
    "survey",
    "title_action",
    "unit_page",
    "unit_score",
    "unit_score_action",
]
