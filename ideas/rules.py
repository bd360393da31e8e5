"""Who may do what with rounds and ideas: django-rules predicates, combined per permission.

Views, the API and the admin ask `user.has_perm("ideas.support_idea", idea)`; nothing checks roles inline.
The phase part comes from ideas/phases.py, so a phase's features are declared in one place.
"""

import rules
from allauth.account.models import EmailAddress

from ideas.phases import Feature, phase_allows
from ideas.statuses import EDITABLE, PUBLIC, Status

MODERATORS_GROUP = "Moderators"
SUPPORTABLE = frozenset({Status.PUBLISHED, Status.UNDER_ASSESSMENT, Status.FEASIBLE})
DISCUSSABLE = PUBLIC - {Status.REJECTED, Status.MERGED}


def _round_of(obj):
    return getattr(obj, "round", obj)


def _cached(user, name, compute):
    # One user object serves a whole request; its roles do not change within it.
    cache = user.__dict__.setdefault("_ideas_roles", {})
    if name not in cache:
        cache[name] = compute()
    return cache[name]


@rules.predicate
def is_verified_resident(user):
    """Logged in with at least one verified e-mail address."""
    if not user.is_authenticated or not user.is_active:
        return False
    return _cached(user, "verified", lambda: EmailAddress.objects.filter(user=user, verified=True).exists())


@rules.predicate
def is_moderator(user):
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or _cached(
        user, "moderator", lambda: user.groups.filter(name=MODERATORS_GROUP).exists()
    )


@rules.predicate
def is_author(user, idea):
    return idea is not None and user.is_authenticated and idea.author_id == user.pk


@rules.predicate
def is_public(user, idea):
    return idea is not None and idea.status in PUBLIC


@rules.predicate
def is_discussable(user, idea):
    return idea is not None and idea.status in DISCUSSABLE


@rules.predicate
def is_editable(user, idea):
    return idea is not None and idea.status in EDITABLE


@rules.predicate
def is_supportable(user, idea):
    return idea is not None and idea.status in SUPPORTABLE


def phase_allows_feature(feature):
    @rules.predicate(name=f"phase_allows_{feature}")
    def predicate(user, obj):
        return obj is not None and phase_allows(_round_of(obj).current_phase(), feature)

    return predicate


def _submittable_now(user, idea):
    # A new draft goes in only while submission is open; an idea sent back may return during review too.
    feature = Feature.ADD_IDEA if idea.status == Status.DRAFT else Feature.EDIT_IDEA
    return phase_allows(idea.round.current_phase(), feature)


is_submittable_now = rules.predicate(_submittable_now, name="is_submittable_now")


@rules.predicate
def is_logged_in(user):
    """Anyone logged in with an active account, verified or not."""
    return user.is_authenticated and user.is_active


@rules.predicate
def is_shown_comment(user, comment):
    """A comment a moderator has not hidden."""
    return comment is not None and not comment.is_hidden


def on_comments_idea(predicate):
    """The same predicate asked of a comment's idea (a comment has no round or status of its own)."""

    @rules.predicate(name=f"on_comments_idea_{predicate.name}")
    def on_idea(user, comment):
        return comment is not None and predicate.test(user, comment.idea)

    return on_idea


rules.add_perm("ideas.add_idea", is_verified_resident & phase_allows_feature(Feature.ADD_IDEA))
rules.add_perm("ideas.view_idea", is_public | is_author | is_moderator)
# Authors edit and submit under the same conditions: a draft, or an idea sent back, in the right phase.
can_edit_own_idea = is_verified_resident & is_author & is_editable & is_submittable_now
rules.add_perm("ideas.change_idea", can_edit_own_idea)
rules.add_perm("ideas.submit_idea", can_edit_own_idea)
rules.add_perm(
    "ideas.comment_idea", is_verified_resident & is_discussable & phase_allows_feature(Feature.COMMENT)
)
rules.add_perm(
    "ideas.support_idea", is_verified_resident & is_supportable & phase_allows_feature(Feature.SUPPORT)
)
rules.add_perm("ideas.follow_idea", is_verified_resident & is_public & phase_allows_feature(Feature.FOLLOW))
can_report_idea = is_verified_resident & is_public & phase_allows_feature(Feature.REPORT)
rules.add_perm("ideas.report_idea", can_report_idea)
rules.add_perm("ideas.report_comment", is_shown_comment & on_comments_idea(can_report_idea))
# Stopping the e-mails is always possible for whoever follows (ideas/participation.unfollow).
rules.add_perm("ideas.unfollow_idea", is_logged_in)
rules.add_perm("ideas.moderate_idea", is_moderator & phase_allows_feature(Feature.MODERATE))
rules.add_perm("ideas.assess_idea", is_moderator & phase_allows_feature(Feature.ASSESS))
rules.add_perm("ideas.hide_comment", is_moderator)
rules.add_perm("ideas.view_moderation_queue", is_moderator)
rules.add_perm("ideas.vote_idea", is_verified_resident & phase_allows_feature(Feature.VOTE))


@rules.predicate
def is_not_entry_author(user, entry):
    """A paper ballot is confirmed by someone other than the staff member who typed it in."""
    return entry is not None and entry.entered_by_id != user.pk


# The voting desk (ideas/moderation/voting.py): election work for the Moderators group, each step in its phase.
rules.add_perm("ideas.view_voting_desk", is_moderator)
rules.add_perm("ideas.upload_census", is_moderator)
rules.add_perm("ideas.issue_voting_codes", is_moderator & phase_allows_feature(Feature.ISSUE_CODES))
rules.add_perm("ideas.hand_out_voting_code", is_moderator & phase_allows_feature(Feature.HAND_OUT_CODES))
rules.add_perm("ideas.void_voting_codes", is_moderator)
rules.add_perm("ideas.enter_paper_ballot", is_moderator & phase_allows_feature(Feature.ENTER_PAPER))
rules.add_perm(
    "ideas.confirm_paper_ballot",
    is_moderator & is_not_entry_author & phase_allows_feature(Feature.ENTER_PAPER),
)
rules.add_perm("ideas.close_voting", is_moderator & phase_allows_feature(Feature.CLOSE_VOTING))
rules.add_perm("ideas.count_votes", is_moderator & phase_allows_feature(Feature.COUNT))
# The key ceremony: before any ballot is sealed (ideas/voting/ballot_box.py refuses later ones itself).
rules.add_perm("ideas.make_counting_keys", is_moderator & phase_allows_feature(Feature.ISSUE_CODES))
# Exceptions to the census list and the age rule, with a reason, while people can still vote.
rules.add_perm("ideas.grant_eligibility_override", is_moderator & phase_allows_feature(Feature.ISSUE_CODES))
# Identity for voting (ideas/voting/identity.py, ideas/moderation/identity.py): staff confirm a person in person
# from an identity document, or move a confirmed person to another account.
rules.add_perm("ideas.confirm_identity", is_moderator)
# The round's lifecycle in the admin (ideas/lifecycle.py, ideas/voting/closing.py, ideas/moderation/rounds.py):
# moderators create a round with its pages, build its ballot, open voting, publish a counted preview and move
# funded ideas on to implementation; each step in its phase. Editors (content pages) take no part.
rules.add_perm("ideas.create_round", is_moderator)
rules.add_perm("ideas.build_ballot", is_moderator & phase_allows_feature(Feature.BUILD_BALLOT))
rules.add_perm("ideas.open_voting", is_moderator & phase_allows_feature(Feature.OPEN_VOTING))
rules.add_perm("ideas.publish_results", is_moderator & phase_allows_feature(Feature.PUBLISH_RESULTS))
rules.add_perm("ideas.implement_idea", is_moderator & phase_allows_feature(Feature.IMPLEMENT))
# Delivery of funded ideas (ideas/delivery.py): milestones, updates, final cost and delivered impact.
rules.add_perm("ideas.manage_delivery", is_moderator & phase_allows_feature(Feature.IMPLEMENT))


# Businesses backing ideas (ideas/partners/): an organisation acts through its representatives, who are residents
# and keep their own rights; the organisation itself never supports or votes. Conflicts of interest (an idea a
# representative wrote, an interest the organisation declared) are checked by the pledge service, which says why.
PLEDGEABLE = frozenset({Status.PUBLISHED, Status.UNDER_ASSESSMENT, Status.FEASIBLE, Status.ON_BALLOT})


@rules.predicate
def represents_verified_organisation(user, obj=None):
    """The person acts for at least one verified organisation (for an organisation: for that one)."""
    if not user.is_authenticated or not user.is_active:
        return False
    from ideas.models import Organisation, Representative

    memberships = Representative.objects.filter(user=user, organisation__state=Organisation.State.VERIFIED)
    if isinstance(obj, Organisation):
        return memberships.filter(organisation=obj).exists()
    return _cached(user, "verified_organisation", memberships.exists)


@rules.predicate
def represents_pledger(user, pledge):
    """The person acts for the organisation that made the pledge."""
    if pledge is None or not user.is_authenticated:
        return False
    return pledge.organisation.memberships.filter(user=user).exists()


@rules.predicate
def represents_organisation(user, organisation):
    if organisation is None or not user.is_authenticated:
        return False
    return organisation.memberships.filter(user=user).exists()


@rules.predicate
def is_pledgeable(user, idea):
    return idea is not None and idea.status in PLEDGEABLE


def on_pledges_idea(predicate):
    """The same predicate asked of a pledge's idea."""

    @rules.predicate(name=f"on_pledges_idea_{predicate.name}")
    def on_idea(user, pledge):
        return pledge is not None and predicate.test(user, pledge.idea)

    return on_idea


rules.add_perm("ideas.register_organisation", is_verified_resident)
rules.add_perm("ideas.view_own_organisation", is_logged_in & represents_organisation)
rules.add_perm("ideas.change_own_organisation", is_verified_resident & represents_organisation)
rules.add_perm(
    "ideas.pledge_idea",
    is_verified_resident
    & represents_verified_organisation
    & is_pledgeable
    & phase_allows_feature(Feature.PLEDGE),
)
rules.add_perm("ideas.declare_interest", is_verified_resident & represents_verified_organisation & is_public)
# Withdrawing is the organisation's own step; the service refuses a confirmed money pledge once voting opened.
rules.add_perm("ideas.withdraw_pledge", is_verified_resident & represents_pledger)
rules.add_perm("ideas.verify_organisation", is_moderator)
rules.add_perm("ideas.review_interest", is_moderator)
rules.add_perm(
    "ideas.confirm_pledge",
    is_moderator & on_pledges_idea(is_pledgeable & phase_allows_feature(Feature.PLEDGE)),
)
rules.add_perm("ideas.decline_pledge", is_moderator)
rules.add_perm(
    "ideas.fulfil_pledge", is_moderator & on_pledges_idea(phase_allows_feature(Feature.FULFIL_PLEDGE))
)
rules.add_perm("ideas.view_csr_reports", is_moderator)
# Budget think-tank workshops (ideas/workshops.py) and the legal minimum (ideas/legal_minimum.py).
rules.add_perm("ideas.record_workshop", is_moderator)
rules.add_perm("ideas.enter_tax_revenue", is_moderator)
