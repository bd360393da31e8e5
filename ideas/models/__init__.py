"""Participation: budget rounds and their pages, ideas with images and history, comments, supports, follows,
reports, moderation reason templates, residents' profiles."""

from .ideas import Idea, IdeaImage, StatusChange
from .participation import Comment, Follow, Report, Support
from .profiles import ResidentProfile
from .reasons import ReasonTemplate
from .rounds import Area, AreaBudget, BudgetRound, BudgetRoundPage, Category

__all__ = [
    "Area",
    "AreaBudget",
    "BudgetRound",
    "BudgetRoundPage",
    "Category",
    "Comment",
    "Follow",
    "Idea",
    "IdeaImage",
    "ReasonTemplate",
    "Report",
    "ResidentProfile",
    "StatusChange",
    "Support",
]
