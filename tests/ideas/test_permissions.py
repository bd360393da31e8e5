"""The permission matrix: every permission in every phase for every role, against an independent statement of
what the issue asks (not a copy of ideas/phases.py, so that a wrong declaration there fails here)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from ideas.phases import Phase
from tests.factories import UserFactory, make_idea, round_in_phase, verified_resident

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "unverified", "resident", "author", "moderator", "editor", "admin"]
VERIFIED = {"resident", "author", "moderator", "editor"}
PHASES = list(Phase)
P = Phase

# What each permission needs, phase by phase. The superuser ("admin") has every permission, as in Django.
EXPECTED = {
    "add_idea": lambda role, phase: role in VERIFIED and phase == P.SUBMISSION,
    "view_published": lambda role, phase: True,
    "view_draft": lambda role, phase: role in {"author", "moderator"},
    "change_draft": lambda role, phase: role == "author" and phase == P.SUBMISSION,
    "submit_draft": lambda role, phase: role == "author" and phase == P.SUBMISSION,
    "change_sent_back": lambda role, phase: role == "author" and phase in {P.SUBMISSION, P.REVIEW},
    "comment_idea": lambda role, phase: (
        role in VERIFIED and phase in {P.SUBMISSION, P.REVIEW, P.SUPPORT, P.RESULTS, P.IMPLEMENTATION}
    ),
    "support_idea": lambda role, phase: role in VERIFIED and phase == P.SUPPORT,
    "follow_idea": lambda role, phase: role in VERIFIED and phase != P.UPCOMING,
    "report_idea": lambda role, phase: role in VERIFIED and phase != P.UPCOMING,
    "report_comment": lambda role, phase: role in VERIFIED and phase != P.UPCOMING,
    "report_hidden_comment": lambda role, phase: False,
    # Stopping the e-mails never depends on the phase or on a verified address.
    "unfollow_idea": lambda role, phase: role != "anonymous",
    "moderate_idea": lambda role, phase: (
        role == "moderator" and phase in {P.UPCOMING, P.SUBMISSION, P.REVIEW, P.SUPPORT}
    ),
    "assess_idea": lambda role, phase: role == "moderator" and phase in {P.SUBMISSION, P.REVIEW, P.SUPPORT},
    "hide_comment": lambda role, phase: role == "moderator",
    "view_moderation_queue": lambda role, phase: role == "moderator",
    "vote_idea": lambda role, phase: role in VERIFIED and phase == P.VOTING,
    # The voting desk: election work for moderators, each step in its phase.
    "view_voting_desk": lambda role, phase: role == "moderator",
    "upload_census": lambda role, phase: role == "moderator",
    "issue_voting_codes": lambda role, phase: (
        role == "moderator" and phase in {P.UPCOMING, P.SUBMISSION, P.REVIEW, P.SUPPORT, P.VOTING}
    ),
    "hand_out_voting_code": lambda role, phase: role == "moderator" and phase == P.VOTING,
    "void_voting_codes": lambda role, phase: role == "moderator",
    "enter_paper_ballot": lambda role, phase: role == "moderator" and phase in {P.VOTING, P.RESULTS},
    "confirm_others_paper_ballot": lambda role, phase: role == "moderator" and phase in {P.VOTING, P.RESULTS},
    "confirm_own_paper_ballot": lambda role, phase: False,
    "close_voting": lambda role, phase: role == "moderator" and phase == P.VOTING,
    "count_votes": lambda role, phase: role == "moderator" and phase == P.RESULTS,
    # The key ceremony and exceptions to the census list: until voting closes, never after.
    "make_counting_keys": lambda role, phase: (
        role == "moderator" and phase not in {P.RESULTS, P.IMPLEMENTATION}
    ),
    "grant_eligibility_override": lambda role, phase: (
        role == "moderator" and phase not in {P.RESULTS, P.IMPLEMENTATION}
    ),
    # Staff confirm a person in person, or move one between accounts, in any phase.
    "confirm_identity": lambda role, phase: role == "moderator",
    # The round's lifecycle in the admin (issue 9): moderators only (editors edit content pages, not rounds).
    "create_round": lambda role, phase: role == "moderator",
    # The ballot is built before voting, or when the voting date came with an empty ballot (the service then
    # refuses once anyone has voted).
    "build_ballot": lambda role, phase: (
        role == "moderator" and phase in {P.SUBMISSION, P.REVIEW, P.SUPPORT, P.VOTING}
    ),
    "put_idea_on_ballot": lambda role, phase: (
        role == "moderator" and phase in {P.SUBMISSION, P.REVIEW, P.SUPPORT, P.VOTING}
    ),
    "open_voting": lambda role, phase: role == "moderator" and phase not in {P.RESULTS, P.IMPLEMENTATION},
    "publish_results": lambda role, phase: role == "moderator" and phase in {P.RESULTS, P.IMPLEMENTATION},
    "implement_idea": lambda role, phase: role == "moderator" and phase in {P.RESULTS, P.IMPLEMENTATION},
    "manage_delivery": lambda role, phase: role == "moderator" and phase in {P.RESULTS, P.IMPLEMENTATION},
    # Businesses backing ideas (issue 10). None of these roles acts for the organisation below, so only staff
    # steps are open to them; tests/ideas/test_pledges.py has the matrix with business representatives.
    "register_organisation": lambda role, phase: role in VERIFIED,
    "view_own_organisation": lambda role, phase: False,
    "change_own_organisation": lambda role, phase: False,
    "pledge_idea": lambda role, phase: False,
    "declare_interest": lambda role, phase: False,
    "withdraw_pledge": lambda role, phase: False,
    "verify_organisation": lambda role, phase: role == "moderator",
    "review_interest": lambda role, phase: role == "moderator",
    "confirm_pledge": lambda role, phase: (
        role == "moderator" and phase in {P.SUBMISSION, P.REVIEW, P.SUPPORT}
    ),
    "decline_pledge": lambda role, phase: role == "moderator",
    "fulfil_pledge": lambda role, phase: role == "moderator" and phase in {P.RESULTS, P.IMPLEMENTATION},
    "view_csr_reports": lambda role, phase: role == "moderator",
    # Workshops and the legal minimum: staff work.
    "record_workshop": lambda role, phase: role == "moderator",
    "enter_tax_revenue": lambda role, phase: role == "moderator",
}


@pytest.fixture
def people():
    return {
        "anonymous": AnonymousUser(),
        "unverified": UserFactory(username="m-unverified"),
        "resident": verified_resident("m-resident"),
        "author": verified_resident("m-author"),
        "moderator": verified_resident("m-moderator", groups=["Moderators"]),
        "editor": verified_resident("m-editor", groups=["Editors"]),
        "admin": UserFactory(username="m-admin", is_superuser=True, is_staff=True),
    }


# Which permission each check asks, and of which object ("round", or an idea in a given status).
CHECKS = {
    "add_idea": ("ideas.add_idea", "round"),
    "view_published": ("ideas.view_idea", "published"),
    "view_draft": ("ideas.view_idea", "draft"),
    "change_draft": ("ideas.change_idea", "draft"),
    "submit_draft": ("ideas.submit_idea", "draft"),
    "change_sent_back": ("ideas.change_idea", "needs_changes"),
    "comment_idea": ("ideas.comment_idea", "published"),
    "support_idea": ("ideas.support_idea", "published"),
    "follow_idea": ("ideas.follow_idea", "published"),
    "report_idea": ("ideas.report_idea", "published"),
    "report_comment": ("ideas.report_comment", "comment"),
    "report_hidden_comment": ("ideas.report_comment", "hidden_comment"),
    "unfollow_idea": ("ideas.unfollow_idea", "published"),
    "moderate_idea": ("ideas.moderate_idea", "published"),
    "assess_idea": ("ideas.assess_idea", "published"),
    "hide_comment": ("ideas.hide_comment", "published"),
    "view_moderation_queue": ("ideas.view_moderation_queue", "round"),
    "vote_idea": ("ideas.vote_idea", "published"),
    "view_voting_desk": ("ideas.view_voting_desk", "round"),
    "upload_census": ("ideas.upload_census", "round"),
    "issue_voting_codes": ("ideas.issue_voting_codes", "round"),
    "hand_out_voting_code": ("ideas.hand_out_voting_code", "round"),
    "void_voting_codes": ("ideas.void_voting_codes", "round"),
    "enter_paper_ballot": ("ideas.enter_paper_ballot", "round"),
    "confirm_others_paper_ballot": ("ideas.confirm_paper_ballot", "paper_by_clerk"),
    "confirm_own_paper_ballot": ("ideas.confirm_paper_ballot", "paper_by_moderator"),
    "close_voting": ("ideas.close_voting", "round"),
    "count_votes": ("ideas.count_votes", "round"),
    "make_counting_keys": ("ideas.make_counting_keys", "round"),
    "grant_eligibility_override": ("ideas.grant_eligibility_override", "round"),
    "confirm_identity": ("ideas.confirm_identity", "round"),
    "create_round": ("ideas.create_round", "round"),
    "build_ballot": ("ideas.build_ballot", "round"),
    "put_idea_on_ballot": ("ideas.build_ballot", "published"),
    "open_voting": ("ideas.open_voting", "round"),
    "publish_results": ("ideas.publish_results", "round"),
    "implement_idea": ("ideas.implement_idea", "published"),
    "manage_delivery": ("ideas.manage_delivery", "published"),
    "register_organisation": ("ideas.register_organisation", "round"),
    "view_own_organisation": ("ideas.view_own_organisation", "organisation"),
    "change_own_organisation": ("ideas.change_own_organisation", "organisation"),
    "pledge_idea": ("ideas.pledge_idea", "published"),
    "declare_interest": ("ideas.declare_interest", "published"),
    "withdraw_pledge": ("ideas.withdraw_pledge", "pledge"),
    "verify_organisation": ("ideas.verify_organisation", "organisation"),
    "review_interest": ("ideas.review_interest", "interest"),
    "confirm_pledge": ("ideas.confirm_pledge", "pledge"),
    "decline_pledge": ("ideas.decline_pledge", "pledge"),
    "fulfil_pledge": ("ideas.fulfil_pledge", "pledge"),
    "view_csr_reports": ("ideas.view_csr_reports", "round"),
    "record_workshop": ("ideas.record_workshop", "round"),
    "enter_tax_revenue": ("ideas.enter_tax_revenue", "round"),
}


def checks(budget_round, author, moderator):
    from ideas.models import Comment, PaperBallotEntry

    objects = {"round": budget_round}
    for status in ("published", "draft", "needs_changes"):
        objects[status] = make_idea(budget_round, author=author, status=status)
    objects["comment"] = Comment.objects.create(idea=objects["published"], text="Shade, please.")
    objects["hidden_comment"] = Comment.objects.create(
        idea=objects["published"], text="Rude.", is_hidden=True
    )
    clerk = UserFactory(username="m-clerk")
    for name, typist in (("paper_by_clerk", clerk), ("paper_by_moderator", moderator)):
        objects[name] = PaperBallotEntry.objects.create(round=budget_round, choices={}, entered_by=typist)
    # A verified organisation of someone outside the roles, with a pledge and a declared interest (made by the
    # system, which is not held to the phase).
    from ideas.models import Organisation, Representative
    from ideas.partners import pledges

    organisation = Organisation.objects.create(
        name="SIA Matrix",
        slug="sia-matrix",
        registration_number="40000000099",
        contact_name="M",
        contact_email="m@example.test",
        state=Organisation.State.VERIFIED,
    )
    Representative.objects.create(organisation=organisation, user=verified_resident("m-business"))
    objects["organisation"] = organisation
    objects["pledge"] = pledges.offer_pledge(
        None, organisation, objects["published"], kind="money", amount="100"
    )
    objects["interest"] = pledges.declare_interest(
        None, organisation, make_idea(budget_round, status="published"), kind="supplier"
    )
    return {check: (permission, objects[target]) for check, (permission, target) in CHECKS.items()}


@pytest.mark.parametrize("phase", PHASES, ids=str)
def test_permission_matrix(phase, people):
    budget_round = round_in_phase(phase)
    assert budget_round.current_phase() == phase
    mismatches = []
    for check, (permission, obj) in checks(budget_round, people["author"], people["moderator"]).items():
        for role in ROLES:
            expected = role == "admin" or EXPECTED[check](role, phase)
            if people[role].has_perm(permission, obj) != expected:
                mismatches.append(f"{check} ({permission}) for {role}: expected {expected}")
    assert mismatches == []


def test_matrix_covers_every_idea_permission():
    import rules

    declared = {name for name in rules.permissions.permissions if name.startswith("ideas.")}
    assert declared == {permission for permission, _target in CHECKS.values()}
    assert set(CHECKS) == set(EXPECTED)


def test_rejected_and_merged_ideas_take_no_support_or_comments(people):
    budget_round = round_in_phase(Phase.SUPPORT)
    resident = people["resident"]
    for status in ("rejected", "merged", "not_feasible", "draft", "submitted"):
        idea = make_idea(budget_round, status=status)
        assert not resident.has_perm("ideas.support_idea", idea), status
    for status in ("rejected", "merged"):
        assert not resident.has_perm("ideas.comment_idea", make_idea(budget_round, status=status)), status


def test_inactive_users_have_no_rights(people):
    budget_round = round_in_phase(Phase.SUBMISSION)
    resident = people["resident"]
    resident.is_active = False
    resident.save()
    assert not resident.has_perm("ideas.add_idea", budget_round)
