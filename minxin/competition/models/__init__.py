"""The civilised-unit competition: rubrics, rounds, flags, titles: the data and its constraints.

A rubric is data (dimension → indicator → method, points, bands, deductions, veto items); a round freezes
the rubric version it scores with; scores keep every input so each number can be traced to its evidence.
"""

from minxin.competition.models.flags import FlagAward, FlagRule, Title, TitleEvent
from minxin.competition.models.rounds import (
    Assignment,
    DocumentReview,
    Evidence,
    Finding,
    Inspection,
    Objection,
    Photo,
    QuestionnaireAnswer,
    Round,
    UnitScore,
    VetoFinding,
)
from minxin.competition.models.rubrics import Dimension, Indicator, Method, Rubric, VetoItem

__all__ = [
    "Assignment",
    "Dimension",
    "DocumentReview",
    "Evidence",
    "Finding",
    "FlagAward",
    "FlagRule",
    "Indicator",
    "Inspection",
    "Method",
    "Objection",
    "Photo",
    "QuestionnaireAnswer",
    "Round",
    "Rubric",
    "Title",
    "TitleEvent",
    "UnitScore",
    "VetoFinding",
    "VetoItem",
]
