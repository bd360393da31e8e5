"""The vote: ballot rules, the register of who voted, sealed ballots, opened ballots and one-time voting codes.

Secrecy in two layers (README "Voting and counting"):
- While voting, a voter's ballot is a SealedBallot: the choices encrypted with the round's counting public key
  (libsodium sealed box, ideas/voting/sealing.py). The server never holds the private key, so neither a database
  reader nor someone with the server's environment can read it. The register (VoterRecord) says who voted; the
  envelope is found again only through a keyed hash (ideas/voting/keys.py) so that a voter can replace it.
- At the count the election commission opens the box with its private key (ideas/voting/ballot_box.py): the
  envelopes are shuffled, decrypted into Ballot/BallotChoice rows with fresh random ids in one transaction, their
  fingerprints are published as CountedReceipt rows, and the envelopes are deleted. An opened Ballot carries
  nothing that points back to an envelope, a register row or a person.
Votes are cast through ideas/voting/casting.py only.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel


class BallotRules(models.Model):
    """How residents fill in a ballot in a round, or in one area of it (area empty: the round's default)."""

    class Method(models.TextChoices):
        APPROVAL_BUDGET = "approval_budget", _("Choose ideas within the budget")
        APPROVAL_COUNT = "approval_count", _("Choose up to a number of ideas")
        CHOOSE_ONE = "choose_one", _("Choose one idea")
        CUMULATIVE = "cumulative", _("Share points among ideas")
        RANKING = "ranking", _("Rank ideas")

    # A ParentalKey, so that staff edit the rules inline on the round (BudgetRound.panels).
    round = ParentalKey(
        "ideas.BudgetRound", verbose_name=_("round"), on_delete=models.CASCADE, related_name="ballot_rules"
    )
    area = models.ForeignKey(
        "ideas.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: these rules hold for every area without rules of its own."),
    )
    method = models.CharField(
        _("ballot"), max_length=20, choices=Method.choices, default=Method.APPROVAL_BUDGET
    )
    max_choices = models.PositiveSmallIntegerField(
        _("at most this many ideas"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    min_choices = models.PositiveSmallIntegerField(_("at least this many ideas"), default=1)
    points_total = models.PositiveSmallIntegerField(
        _("points to share"), null=True, blank=True, help_text=_("For cumulative ballots.")
    )
    max_points_per_idea = models.PositiveSmallIntegerField(
        _("at most this many points for one idea"), null=True, blank=True
    )
    min_budget_share = models.PositiveSmallIntegerField(
        _("use at least this share of the budget (%)"), default=0, validators=[MaxValueValidator(100)]
    )

    panels = [
        FieldPanel("area"),
        FieldPanel("method"),
        FieldRowPanel([FieldPanel("min_choices"), FieldPanel("max_choices")]),
        FieldRowPanel([FieldPanel("points_total"), FieldPanel("max_points_per_idea")]),
        FieldPanel("min_budget_share"),
    ]

    def __str__(self):
        return f"{self.round} - {self.area or '*'}: {self.get_method_display()}"

    class Meta:
        verbose_name = _("ballot rules")
        verbose_name_plural = _("ballot rules")
        constraints = [
            models.UniqueConstraint(fields=["round", "area"], name="one_rule_set_per_round_and_area")
        ]


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    CODE = "code", _("Voting code")
    PAPER = "paper", _("Paper ballot")


class VoterRecord(models.Model):
    """The register: this person (a keyed hash, never a name or a personal code) voted in this round (and
    area). It holds nothing about the ballot."""

    round = models.ForeignKey(
        "ideas.BudgetRound", verbose_name=_("round"), on_delete=models.CASCADE, related_name="+"
    )
    voter_key = models.CharField(_("voter key"), max_length=64)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # A day, not a moment: a precise time could be matched against the order ballots arrive in.
    voted_on = models.DateField(_("voted on"))
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    # Paper voters only: where they were handed a ballot paper, so that paper ballots reconcile per place.
    polling_place = models.ForeignKey(
        "ideas.PollingPlace",
        verbose_name=_("polling place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    def __str__(self):
        return f"{self.round_id}/{self.voter_key[:8]}"

    class Meta:
        verbose_name = _("voter register entry")
        verbose_name_plural = _("voter register")
        constraints = [
            # One person, one ballot per round, whatever the channel, also when the round votes by area.
            models.UniqueConstraint(fields=["round", "voter_key"], name="one_register_entry_per_voter"),
        ]


class SealedBallot(models.Model):
    """A ballot in its envelope while voting is open: the choices sealed with the round's counting public key.

    `lookup` is a keyed hash of the voter (random for paper ballots) so that a voter's newer ballot replaces
    their envelope; `fingerprint` (SHA-256 of the sealed bytes) is the voter's receipt and, once counted, is
    published. No channel and no time: the register holds those. Deleted when the ballot box is opened."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(
        "ideas.BudgetRound", verbose_name=_("round"), on_delete=models.CASCADE, related_name="+"
    )
    area = models.ForeignKey(
        "ideas.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lookup = models.CharField(_("lookup key"), max_length=64, unique=True)
    sealed = models.BinaryField(_("sealed choices"))
    fingerprint = models.CharField(_("fingerprint"), max_length=64, unique=True)

    def __str__(self):
        return self.fingerprint[:16]

    class Meta:
        verbose_name = _("sealed ballot")
        verbose_name_plural = _("sealed ballots")


class Ballot(models.Model):
    """An opened ballot: what one voter chose, and nothing else. Made only when the ballot box is opened (or by
    a Pabulib import), in shuffled order, with a random id: no person, no channel, no time, no receipt."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(
        "ideas.BudgetRound", verbose_name=_("round"), on_delete=models.CASCADE, related_name="ballots"
    )
    area = models.ForeignKey(
        "ideas.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    def __str__(self):
        return str(self.id)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")


class CountedReceipt(models.Model):
    """The fingerprint of an envelope that was opened and counted, published so that each voter can find their
    receipt in the list. Stored sorted by fingerprint, with no link to the ballot it held."""

    round = models.ForeignKey(
        "ideas.BudgetRound", verbose_name=_("round"), on_delete=models.CASCADE, related_name="+"
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64)

    def __str__(self):
        return self.fingerprint

    class Meta:
        verbose_name = _("counted receipt")
        verbose_name_plural = _("counted receipts")
        ordering = ["fingerprint"]
        constraints = [
            models.UniqueConstraint(fields=["round", "fingerprint"], name="a_receipt_once_per_round")
        ]


class PollingPlace(models.Model):
    """A place where residents vote on paper (a parish hall, a library); paper ballots reconcile per place."""

    round = ParentalKey(
        "ideas.BudgetRound", verbose_name=_("round"), on_delete=models.CASCADE, related_name="polling_places"
    )
    name = models.CharField(_("name"), max_length=150)

    panels = [FieldPanel("name")]

    def __str__(self):
        return self.name

    class Meta:
        verbose_name = _("polling place")
        verbose_name_plural = _("polling places")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["round", "name"], name="polling_place_name_once")]


class EligibilityOverride(models.Model):
    """Staff allow a person to vote in a round although the census list or the age rule says no (a newcomer not
    on the list yet, for instance), with the reason; the area they vote in is set here. Made through
    ideas/voting/eligibility.py `grant_override` and kept in the round's audit log."""

    round = models.ForeignKey(
        "ideas.BudgetRound", verbose_name=_("round"), on_delete=models.CASCADE, related_name="+"
    )
    person_key = models.CharField(_("person key"), max_length=64)
    area = models.ForeignKey(
        "ideas.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("granted by"), on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    def __str__(self):
        return f"{self.round_id}/{self.person_key[:8]}"

    class Meta:
        verbose_name = _("eligibility exception")
        verbose_name_plural = _("eligibility exceptions")
        constraints = [
            models.UniqueConstraint(fields=["round", "person_key"], name="one_override_per_person_and_round")
        ]


class BallotChoice(models.Model):
    """One idea on a ballot, with its points (cumulative) or its place (ranking)."""

    ballot = models.ForeignKey(
        Ballot, verbose_name=_("ballot"), on_delete=models.CASCADE, related_name="choices"
    )
    idea = models.ForeignKey("ideas.Idea", verbose_name=_("idea"), on_delete=models.PROTECT, related_name="+")
    points = models.PositiveSmallIntegerField(_("points"), default=1)
    rank = models.PositiveSmallIntegerField(_("place"), null=True, blank=True)

    def __str__(self):
        return f"{self.ballot_id}: {self.idea_id}"

    class Meta:
        verbose_name = _("ballot choice")
        verbose_name_plural = _("ballot choices")
        constraints = [models.UniqueConstraint(fields=["ballot", "idea"], name="an_idea_once_per_ballot")]


class VotingCode(models.Model):
    """A one-time code, handed to an identified person at a workshop, library or kiosk; only its keyed hash is
    stored. It votes without an account, once."""

    class State(models.TextChoices):
        NEW = "new", _("Not handed out")
        ISSUED = "issued", _("Handed out")
        USED = "used", _("Used")
        VOID = "void", _("Void")

    round = models.ForeignKey(
        "ideas.BudgetRound", verbose_name=_("round"), on_delete=models.CASCADE, related_name="+"
    )
    code_hash = models.CharField(_("code hash"), max_length=64, unique=True)
    batch = models.CharField(_("batch"), max_length=100)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.NEW)
    # Whom it was handed to (a keyed hash of their personal code), so that they cannot vote again elsewhere.
    person_key = models.CharField(_("person key"), max_length=64, blank=True)
    # Where it was handed out, when at a budget think-tank workshop (ideas/workshops.py).
    workshop = models.ForeignKey(
        "home.EventPage",
        verbose_name=_("workshop"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    def __str__(self):
        return f"{self.batch} ({self.get_state_display()})"

    class Meta:
        verbose_name = _("voting code")
        verbose_name_plural = _("voting codes")


class CensusEntry(models.Model):
    """A resident on the municipality's census list: a keyed hash of the personal code (the code itself is
    never stored), the area they live in and their birth year."""

    person_key = models.CharField(_("person key"), max_length=64, unique=True)
    area = models.ForeignKey("ideas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    birth_year = models.PositiveSmallIntegerField(_("birth year"))

    def __str__(self):
        return self.person_key[:8]

    class Meta:
        verbose_name = _("census entry")
        verbose_name_plural = _("census list")


class CensusUpload(models.Model):
    """The audit trail of the census list: who loaded which file when, and what it changed (voting desk)."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    file_name = models.CharField(_("file"), max_length=200)
    loaded = models.PositiveIntegerField(_("residents loaded"))
    removed = models.PositiveIntegerField(_("residents removed"))
    total = models.PositiveIntegerField(_("residents in all"))

    def __str__(self):
        return f"{self.file_name} ({self.uploaded_at:%Y-%m-%d})" if self.uploaded_at else self.file_name

    class Meta:
        verbose_name = _("census upload")
        verbose_name_plural = _("census uploads")
        ordering = ["-uploaded_at", "-pk"]
