"""Participation: budget rounds and their pages, ideas with images and history, comments, supports, follows,
reports, moderation reason templates, residents' profiles."""

from .delivery import Delivery, DeliveryEvent, DeliveryPhoto, DeliveryUpdate, Milestone
from .delivery_page import DeliveryPage
from .ideas import Idea, IdeaImage, StatusChange
from .paper import PaperBallotEntry
from .participation import Comment, Follow, Report, Support
from .partners import DeclaredInterest, Organisation, Pledge, PledgeChange, Representative, TaxRevenue
from .partners_page import PartnersPage
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
from .workshops import WorkshopOutcome

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
    "DeclaredInterest",
    "Delivery",
    "DeliveryEvent",
    "DeliveryPage",
    "DeliveryPhoto",
    "DeliveryUpdate",
    "EligibilityOverride",
    "Follow",
    "Idea",
    "IdeaImage",
    "Milestone",
    "Organisation",
    "PaperBallotEntry",
    "PartnersPage",
    "Pledge",
    "PledgeChange",
    "PollingPlace",
    "ReasonTemplate",
    "Report",
    "Representative",
    "ResidentProfile",
    "RoundResult",
    "SealedBallot",
    "StatusChange",
    "Support",
    "TaxRevenue",
    "VoterRecord",
    "VotingCode",
    "WorkshopOutcome",
]
