"""Participation: budget rounds and their pages, ideas with images and history, comments, supports, follows,
reports, moderation reason templates, residents' profiles."""

from .ideas import Idea, IdeaImage, StatusChange
from .paper import PaperBallotEntry
from .participation import Comment, Follow, Report, Support
from .profiles import ResidentProfile
from .reasons import ReasonTemplate
from .results import CountJob, RoundResult
from .rounds import Area, AreaBudget, BudgetRound, BudgetRoundPage, Category
from .voting import (
    Ballot,
    BallotChoice,
    BallotRules,
    CensusEntry,
    CensusUpload,
    Channel,
    CountedReceipt,
    EligibilityOverride,
    PollingPlace,
    SealedBallot,
    VoterRecord,
    VotingCode,
)

__all__ = [
    "Area",
    "AreaBudget",
    "Ballot",
    "BallotChoice",
    "BallotRules",
    "BudgetRound",
    "BudgetRoundPage",
    "Category",
    "CensusEntry",
    "CensusUpload",
    "Channel",
    "Comment",
    "CountJob",
    "CountedReceipt",
    "EligibilityOverride",
    "Follow",
    "Idea",
    "IdeaImage",
    "PaperBallotEntry",
    "PollingPlace",
    "ReasonTemplate",
    "Report",
    "ResidentProfile",
    "RoundResult",
    "SealedBallot",
    "StatusChange",
    "Support",
    "VoterRecord",
    "VotingCode",
]
