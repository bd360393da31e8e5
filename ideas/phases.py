"""Phases of a budget round and what each one allows, declared in one place (adhocracy4 style).

Plain Python: the rules in ideas/rules.py ask `phase_allows(phase, feature)`; BudgetRound.current_phase() says
which phase a round is in by its dates.
"""

from enum import StrEnum


class Phase(StrEnum):
    UPCOMING = "upcoming"
    SUBMISSION = "submission"
    REVIEW = "review"
    SUPPORT = "support"
    VOTING = "voting"
    RESULTS = "results"
    IMPLEMENTATION = "implementation"


class Feature(StrEnum):
    ADD_IDEA = "add_idea"  # start and submit new ideas
    EDIT_IDEA = "edit_idea"  # authors edit drafts and ideas sent back for changes
    COMMENT = "comment"
    SUPPORT = "support"
    FOLLOW = "follow"
    REPORT = "report"
    MODERATE = "moderate"  # publish, request changes, reject, merge
    ASSESS = "assess"  # official cost and feasibility
    VOTE = "vote"
    ISSUE_CODES = "issue_codes"  # staff print batches of one-time voting codes ahead of and during the vote
    HAND_OUT_CODES = "hand_out_codes"  # staff hand a code to an identified person
    ENTER_PAPER = "enter_paper"  # staff register paper voters and type in paper ballots
    CLOSE_VOTING = "close_voting"  # staff end the vote early (the round's results date becomes now)
    COUNT = "count"  # staff count the ballots into a private preview
    # The round's lifecycle in the admin (ideas/lifecycle.py, ideas/voting/closing.py):
    BUILD_BALLOT = "build_ballot"  # staff put feasible ideas on the ballot (refused once anyone has voted)
    OPEN_VOTING = "open_voting"  # staff open the vote now (a second open is a no-op)
    PUBLISH_RESULTS = "publish_results"  # staff publish a counted preview to residents
    IMPLEMENT = "implement"  # staff move funded ideas to implementation and mark them completed
    # Businesses backing ideas (ideas/partners/pledges.py). Pledges are offered and confirmed before voting:
    # the costs on the ballot are the costs counted. They are fulfilled once the results are out.
    PLEDGE = "pledge"
    FULFIL_PLEDGE = "fulfil_pledge"


_ALWAYS = {Feature.FOLLOW, Feature.REPORT}

PHASE_FEATURES = {
    Phase.UPCOMING: {Feature.MODERATE, Feature.ISSUE_CODES, Feature.OPEN_VOTING},
    Phase.SUBMISSION: _ALWAYS
    | {
        Feature.ADD_IDEA,
        Feature.EDIT_IDEA,
        Feature.COMMENT,
        Feature.MODERATE,
        Feature.ASSESS,
        Feature.ISSUE_CODES,
        Feature.BUILD_BALLOT,
        Feature.OPEN_VOTING,
        Feature.PLEDGE,
    },
    Phase.REVIEW: _ALWAYS
    | {
        Feature.EDIT_IDEA,
        Feature.COMMENT,
        Feature.MODERATE,
        Feature.ASSESS,
        Feature.ISSUE_CODES,
        Feature.BUILD_BALLOT,
        Feature.OPEN_VOTING,
        Feature.PLEDGE,
    },
    Phase.SUPPORT: _ALWAYS
    | {
        Feature.COMMENT,
        Feature.SUPPORT,
        Feature.MODERATE,
        Feature.ASSESS,
        Feature.ISSUE_CODES,
        Feature.BUILD_BALLOT,
        Feature.OPEN_VOTING,
        Feature.PLEDGE,
    },
    # Building the ballot and opening stay possible when the voting date came with an empty ballot; the
    # services refuse both once anyone has voted or voting was opened.
    Phase.VOTING: _ALWAYS
    | {
        Feature.VOTE,
        Feature.ISSUE_CODES,
        Feature.HAND_OUT_CODES,
        Feature.ENTER_PAPER,
        Feature.CLOSE_VOTING,
        Feature.BUILD_BALLOT,
        Feature.OPEN_VOTING,
    },
    # Paper ballots from the polling places are typed in after the polls close, before the count.
    Phase.RESULTS: _ALWAYS
    | {
        Feature.COMMENT,
        Feature.ENTER_PAPER,
        Feature.COUNT,
        Feature.PUBLISH_RESULTS,
        Feature.IMPLEMENT,
        Feature.FULFIL_PLEDGE,
    },
    Phase.IMPLEMENTATION: _ALWAYS
    | {Feature.COMMENT, Feature.PUBLISH_RESULTS, Feature.IMPLEMENT, Feature.FULFIL_PLEDGE},
}


def phase_allows(phase, feature):
    return Feature(feature) in PHASE_FEATURES[Phase(phase)]


def phase_at(moment, dates):
    """The phase at `moment`, given the round's dates as a mapping of phase -> start (None: no such phase).

    A phase lasts until the next phase that exists starts; before the first start the round is upcoming.
    """
    current = Phase.UPCOMING
    for phase in (
        Phase.SUBMISSION,
        Phase.REVIEW,
        Phase.SUPPORT,
        Phase.VOTING,
        Phase.RESULTS,
        Phase.IMPLEMENTATION,
    ):
        start = dates.get(phase)
        if start is not None and moment >= start:
            current = phase
    return current
