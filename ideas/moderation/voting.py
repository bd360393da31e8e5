"""The voting desk in the Wagtail admin (VotingDeskViewSet in viewsets.py): election work for staff.

Per round: the register's figures by channel and the sealed ballot box; the key ceremony (the election
commission's private key shown once); exceptions to the census list with a reason; one-time voting codes (new
batch printed as a PDF, hand-out to an identified person, voiding what was not used); paper ballots (register the
voter at the polling place, type in a ballot, a second staff member confirms it, reconciliation per place);
closing the vote, opening the box with the private key and counting it as a background task with its progress. For the municipality: the census list upload. Every action asks its rule in ideas/rules.py, calls the
service in ideas/voting/ that does the work, and leaves an entry in the round's audit log. Nothing here shows who
voted for what: the register and the ballots are only ever counted.
"""

import base64
import io

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from ideas import lifecycle
from ideas.models import (
    Area,
    Ballot,
    BudgetRound,
    BudgetRoundPage,
    CensusEntry,
    CensusUpload,
    Channel,
    CountJob,
    EligibilityOverride,
    Idea,
    PaperBallotEntry,
    RoundResult,
    VoterRecord,
    VotingCode,
)
from ideas.models.rounds import CountingRule
from ideas.moderation.forms import (
    BallotBuilderForm,
    CensusUploadForm,
    CodeBatchForm,
    ConfirmForm,
    CountForm,
    HandOutCodeForm,
    OverrideForm,
    PaperVoterForm,
    PollingPlaceField,
)
from ideas.phases import Phase
from ideas.statuses import Status
from ideas.voting import ballot_box, closing, code_sheets, codes, eligibility, paper, sealing
from ideas.voting.casting import VoteRefused, ballot_ideas, rules_for
from ideas.voting.census import CensusFileError, load_census
from ideas.voting.forms import BallotForm
from ideas.voting.results import publish_results
from ideas.voting.results_page import explanation_text, stored_costs
from ideas.voting.views import areas_by_name

DESK = "voting_desk"

RULE_LABELS = dict(CountingRule.choices)


def desk_url(name, *args):
    return reverse(f"{DESK}:{name}", args=args)


class DeskView(WagtailAdminTemplateMixin, TemplateView):
    """Base of the desk's pages: the permission each asks, the round in the URL, breadcrumbs."""

    permission = "ideas.view_voting_desk"
    header_icon = "mail"
    _show_breadcrumbs = True

    def dispatch(self, request, *args, **kwargs):
        self.budget_round = get_object_or_404(BudgetRound, pk=kwargs["pk"]) if "pk" in kwargs else None
        if not request.user.has_perm(self.permission, self.budget_round):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = [*self.breadcrumbs_items, {"url": desk_url("index"), "label": _("Voting desk")}]
        if self.budget_round:
            items.append({"url": desk_url("round", self.budget_round.pk), "label": self.budget_round.name})
        return [*items, {"url": "", "label": self.get_page_title()}]

    def may(self, permission, obj=None):
        return self.request.user.has_perm(permission, obj if obj is not None else self.budget_round)

    def back(self, name):
        return redirect(desk_url(name, self.budget_round.pk))


def _register_by_channel(budget_round):
    counts = dict(
        VoterRecord.objects.filter(round=budget_round)
        .values_list("channel")
        .annotate(total=Count("pk"))
        .values_list("channel", "total")
    )
    return [(channel.label, counts.get(channel.value, 0)) for channel in Channel]


class DeskIndexView(DeskView):
    """Every round with its phase and turnout, and the census list's size."""

    template_name = "ideas/admin/voting/index.html"
    page_title = _("Voting desk")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": _("Voting desk")}]

    def get_context_data(self, **kwargs):
        rounds = BudgetRound.objects.annotate(
            ballot_count=Count("ballots", distinct=True),
        ).order_by("-voting_starts", "-pk")
        return super().get_context_data(
            rounds=[(budget_round, desk_url("round", budget_round.pk)) for budget_round in rounds],
            census_size=CensusEntry.objects.count(),
            census_url=desk_url("census"),
            may_upload_census=self.may("ideas.upload_census"),
            **kwargs,
        )


class RoundDeskView(DeskView):
    """One round: phase, register and ballots by channel, what waits, and the way to each task."""

    template_name = "ideas/admin/voting/round.html"
    page_title = _("Voting")

    def post(self, request, *args, **kwargs):
        # Closing the vote asks for a confirmation with a summary first (CloseVotingView).
        return self.back("close")

    def get_context_data(self, **kwargs):
        budget_round = self.budget_round
        page = BudgetRoundPage.objects.live().filter(budget_round=budget_round).first()
        return super().get_context_data(
            budget_round=budget_round,
            phase=budget_round.current_phase_label(),
            register=_register_by_channel(budget_round),
            register_total=VoterRecord.objects.filter(round=budget_round).count(),
            ballots=Ballot.objects.filter(round=budget_round).count(),
            sealed=ballot_box.box_size(budget_round),
            key_id=sealing.key_id(budget_round.counting_public_key)
            if budget_round.counting_public_key
            else "",
            keys_url=desk_url("keys", budget_round.pk),
            exceptions_url=desk_url("exceptions", budget_round.pk),
            pending_paper=PaperBallotEntry.objects.filter(
                round=budget_round, state=PaperBallotEntry.State.PENDING
            ).count(),
            results=RoundResult.objects.filter(round=budget_round).select_related("area", "published_by")[
                :10
            ],
            jobs=CountJob.objects.filter(round=budget_round)[:5],
            results_url=(page.url + page.reverse_subpage("results")) if page and page.url else "",
            codes_url=desk_url("codes", budget_round.pk),
            paper_url=desk_url("paper", budget_round.pk),
            count_url=desk_url("count", budget_round.pk),
            history_url=reverse("wagtailsnippets_ideas_budgetround:history", args=[budget_round.pk]),
            # Superusers pass every rule: the phase is asked here too, so that the button shows only while open.
            may_close=self.may("ideas.close_voting")
            and budget_round.current_phase() == Phase.VOTING
            and not budget_round.voting_closed_at,
            may_count=self.may("ideas.count_votes"),
            **lifecycle_context(self, budget_round),
            **kwargs,
        )


class KeysView(DeskView):
    """The key ceremony: the election commission makes the round's counting key pair. The private key is shown
    once, in the answer to the POST, to be downloaded and printed; the server keeps only the public key."""

    template_name = "ideas/admin/voting/keys.html"
    page_title = _("Counting keys")

    def post(self, request, *args, **kwargs):
        if not self.may("ideas.make_counting_keys"):
            raise PermissionDenied
        try:
            private_key = ballot_box.make_counting_keys(self.budget_round, request.user)
        except ballot_box.BoxProblem as problem:
            messages.error(request, " ".join(problem.messages))
            return self.back("keys")
        self.budget_round.refresh_from_db()
        key_file = render_to_string(
            "ideas/admin/voting/counting_key.txt",
            {
                "budget_round": self.budget_round,
                "private_key": private_key,
                "key_id": sealing.key_id(self.budget_round.counting_public_key),
            },
        )
        response = self.render_to_response(
            self.get_context_data(
                private_key=private_key,
                key_file_b64=base64.b64encode(key_file.encode()).decode(),
                key_file_name=f"kopa-counting-key-round-{self.budget_round.pk}.txt",
            )
        )
        # The key exists only in this answer: no browser or proxy may keep a copy.
        response["Cache-Control"] = "no-store"
        return response

    def get_context_data(self, **kwargs):
        public = self.budget_round.counting_public_key
        return super().get_context_data(
            budget_round=self.budget_round,
            key_id=sealing.key_id(public) if public else "",
            sealed=ballot_box.box_size(self.budget_round),
            may_make=self.may("ideas.make_counting_keys"),
            **kwargs,
        )


class OverrideView(DeskView):
    """Exceptions: staff let a person vote in this round although the census list or the age rule says no,
    with a reason (ideas/voting/eligibility.grant_override). The list shows who granted what and why, never a
    personal code."""

    template_name = "ideas/admin/voting/exceptions.html"
    page_title = _("Exceptions to the census list")

    def areas(self):
        if self.budget_round.ballot_scope != BudgetRound.BallotScope.AREA:
            return ()
        return [(area.code, area.localized_name()) for area in areas_by_name()]

    def post(self, request, *args, **kwargs):
        if not self.may("ideas.grant_eligibility_override"):
            raise PermissionDenied
        form = OverrideForm(request.POST, areas=self.areas())
        if form.is_valid():
            code = form.cleaned_data.get("area")
            area = (
                Area.objects.filter(code=code, locale__language_code=settings.LANGUAGE_CODE).first()
                if code
                else None
            )
            try:
                eligibility.grant_override(
                    self.budget_round,
                    form.cleaned_data["personal_code"],
                    area=area,
                    reason=form.cleaned_data["reason"],
                    user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("The exception is recorded: this person may now vote in this round.")
                )
                return self.back("exceptions")
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, form=None, **kwargs):
        return super().get_context_data(
            budget_round=self.budget_round,
            form=form or OverrideForm(areas=self.areas()),
            overrides=EligibilityOverride.objects.filter(round=self.budget_round)
            .select_related("granted_by", "area")
            .order_by("-granted_at")[:200],
            may_grant=self.may("ideas.grant_eligibility_override"),
            **kwargs,
        )


class CodesView(DeskView):
    """Voting codes: batches with their states, a new batch (answered with the PDF), hand-out and voiding."""

    template_name = "ideas/admin/voting/codes.html"
    page_title = _("Voting codes")

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "new_batch":
            return self.new_batch()
        if action == "hand_out":
            return self.hand_out()
        if action == "void":
            return self.void()
        return self.back("codes")

    def new_batch(self):
        if not self.may("ideas.issue_voting_codes"):
            raise PermissionDenied
        form = CodeBatchForm(self.request.POST, prefix="batch")
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(batch_form=form), status=400)
        batch, count = form.cleaned_data["batch"], form.cleaned_data["count"]
        if VotingCode.objects.filter(round=self.budget_round, batch=batch).exists():
            form.add_error("batch", _("This round already has a batch with this name."))
            return self.render_to_response(self.get_context_data(batch_form=form), status=400)
        path = _code_vote_path(self.budget_round)
        if path is None:
            form.add_error(
                None, _("Publish the round's page first: the printed codes tell people where to vote.")
            )
            return self.render_to_response(self.get_context_data(batch_form=form), status=400)
        vote_url = self.request.build_absolute_uri(path)
        new_codes = codes.make_batch(self.budget_round, count, batch)
        try:
            pdf = code_sheets.codes_pdf(self.budget_round.name, batch, new_codes, vote_url)
        except code_sheets.FontMissing as missing:
            # Without the paper the codes are lost: void them at once so that nobody can ever use them.
            codes.void_unused(self.budget_round, batch)
            messages.error(self.request, str(missing))
            return self.back("codes")
        log(
            instance=self.budget_round,
            action="ideas.voting.codes_issued",
            user=self.request.user,
            data={"batch": batch, "count": count},
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        filename = f"voting-codes-{slugify(batch) or 'batch'}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def hand_out(self):
        if not self.may("ideas.hand_out_voting_code"):
            raise PermissionDenied
        form = HandOutCodeForm(self.request.POST, prefix="hand_out")
        if form.is_valid():
            try:
                codes.hand_out(
                    self.budget_round,
                    form.cleaned_data["code"],
                    form.cleaned_data["personal_code"],
                    user=self.request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(self.request, _("The code is handed out: it can now vote once."))
                return self.back("codes")
        return self.render_to_response(self.get_context_data(hand_out_form=form), status=400)

    def void(self):
        if not self.may("ideas.void_voting_codes"):
            raise PermissionDenied
        batch = self.request.POST.get("batch", "")
        voided = codes.void_unused(self.budget_round, batch)
        log(
            instance=self.budget_round,
            action="ideas.voting.codes_voided",
            user=self.request.user,
            data={"batch": batch, "count": voided},
        )
        messages.success(
            self.request,
            ngettext(
                "%(count)s unused code of “%(batch)s” is void.",
                "%(count)s unused codes of “%(batch)s” are void.",
                voided,
            )
            % {"count": voided, "batch": batch},
        )
        return self.back("codes")

    def get_context_data(self, batch_form=None, hand_out_form=None, **kwargs):
        states = VotingCode.State
        batches = (
            VotingCode.objects.filter(round=self.budget_round)
            .values("batch")
            .annotate(
                total=Count("pk"),
                **{state.value: Count("pk", filter=Q(state=state.value)) for state in states},
            )
            .order_by("batch")
        )
        return super().get_context_data(
            budget_round=self.budget_round,
            batches=batches,
            batch_form=batch_form or CodeBatchForm(prefix="batch"),
            hand_out_form=hand_out_form or HandOutCodeForm(prefix="hand_out"),
            may_issue=self.may("ideas.issue_voting_codes"),
            may_hand_out=self.may("ideas.hand_out_voting_code"),
            may_void=self.may("ideas.void_voting_codes"),
            **kwargs,
        )


def _code_vote_path(budget_round):
    page = BudgetRoundPage.objects.live().filter(budget_round=budget_round).first()
    if page is None or not page.url:
        return None
    return page.url + page.reverse_subpage("vote_with_code")


class PaperView(DeskView):
    """Paper ballots: register the voter at the polling place; type in a ballot; confirm or reject others'."""

    template_name = "ideas/admin/voting/paper.html"
    page_title = _("Paper ballots")

    def by_area(self):
        return self.budget_round.ballot_scope == BudgetRound.BallotScope.AREA

    def ballot_area(self):
        """The area whose ballot is typed in (rounds with a ballot per area), from ?area= or the form."""
        if not self.by_area():
            return None
        code = self.request.POST.get("ballot_area") or self.request.GET.get("area")
        return Area.objects.filter(code=code, locale__language_code=settings.LANGUAGE_CODE).first()

    def ballot_form(self, data=None):
        area = self.ballot_area()
        if self.by_area() and area is None:
            return None
        ideas = ballot_ideas(self.budget_round, area).order_by("title")
        return BallotForm(data, ideas=ideas, rules=rules_for(self.budget_round, area), prefix="paper")

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "register":
            return self.register()
        if action == "enter":
            return self.enter()
        if action in ("confirm", "reject"):
            return self.decide(action)
        return self.back("paper")

    def register(self):
        if not self.may("ideas.enter_paper_ballot"):
            raise PermissionDenied
        form = PaperVoterForm(self.request.POST, prefix="voter", budget_round=self.budget_round)
        if form.is_valid():
            try:
                area = paper.register_paper_voter(
                    self.budget_round,
                    form.cleaned_data["personal_code"],
                    form.cleaned_data["polling_place"],
                    user=self.request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if self.by_area() and area is not None:
                    message = _("The voter is in the register: hand them a ballot paper of %(area)s.") % {
                        "area": area.localized_name()
                    }
                else:
                    message = _("The voter is in the register: hand them a ballot paper.")
                messages.success(self.request, message)
                return self.back("paper")
        return self.render_to_response(self.get_context_data(voter_form=form), status=400)

    def enter(self):
        if not self.may("ideas.enter_paper_ballot"):
            raise PermissionDenied
        form = self.ballot_form(self.request.POST)
        if form is None:
            messages.error(self.request, _("Choose the area of the ballot first."))
            return self.back("paper")
        try:
            place = PollingPlaceField(self.budget_round).clean(self.request.POST.get("polling_place"))
        except ValidationError:
            place = None
            form.add_error(None, _("Choose the polling place of the ballot paper."))
        if form.is_valid() and place is not None:
            try:
                paper.enter(
                    self.budget_round, form.choices(), self.request.user, place, area=self.ballot_area()
                )
            except VoteRefused as refused:
                for message in refused.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    self.request,
                    _("The ballot is typed in. Another staff member now confirms it against the paper."),
                )
                area = self.ballot_area()
                return redirect(
                    desk_url("paper", self.budget_round.pk) + (f"?area={area.code}" if area else "")
                )
        return self.render_to_response(self.get_context_data(entry_form=form), status=400)

    def decide(self, action):
        entry = get_object_or_404(
            PaperBallotEntry, pk=self.request.POST.get("entry"), round=self.budget_round
        )
        if not self.request.user.has_perm("ideas.confirm_paper_ballot", entry):
            if entry.entered_by_id == self.request.user.pk:
                messages.error(
                    self.request,
                    _("A second person must confirm a paper ballot, not the one who typed it in."),
                )
                return self.back("paper")
            raise PermissionDenied
        if action == "reject":
            paper.reject(entry, self.request.user)
            messages.success(self.request, _("The typed-in ballot is rejected; type the paper in again."))
            return self.back("paper")
        try:
            paper.confirm(entry, self.request.user)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
        else:
            messages.success(self.request, _("The paper ballot is confirmed and will be counted."))
        return self.back("paper")

    def get_context_data(self, voter_form=None, entry_form=None, **kwargs):
        areas = areas_by_name() if self.by_area() else []
        pending = list(
            PaperBallotEntry.objects.filter(round=self.budget_round, state=PaperBallotEntry.State.PENDING)
            .select_related("entered_by", "area")
            .order_by("pk")
        )
        titles = dict(Idea.objects.filter(round=self.budget_round).values_list("pk", "title"))
        rows = [
            {
                "entry": entry,
                "choices": [(titles.get(int(idea), idea), points) for idea, points in entry.choices.items()],
                "may_confirm": self.request.user.has_perm("ideas.confirm_paper_ballot", entry),
                "own": entry.entered_by_id == self.request.user.pk,
            }
            for entry in pending
        ]
        ballot_area = self.ballot_area()
        counted_already = paper.is_counted(self.budget_round)
        places = list(self.budget_round.polling_places.order_by("name"))
        counted = PaperBallotEntry.objects.filter(round=self.budget_round).aggregate(
            confirmed=Count("pk", filter=Q(state=PaperBallotEntry.State.CONFIRMED)),
            rejected=Count("pk", filter=Q(state=PaperBallotEntry.State.REJECTED)),
        )
        return super().get_context_data(
            budget_round=self.budget_round,
            voter_form=voter_form or PaperVoterForm(prefix="voter", budget_round=self.budget_round),
            places=places,
            chosen_place=self.request.POST.get("polling_place", ""),
            reconciliation=paper.reconciliation(self.budget_round),
            entry_form=entry_form if entry_form is not None else self.ballot_form(),
            areas=areas,
            ballot_area=ballot_area,
            pending=rows,
            counted=counted,
            may_enter=self.may("ideas.enter_paper_ballot") and not counted_already and bool(places),
            counted_already=counted_already,
            **kwargs,
        )


class CensusView(DeskView):
    """The census list: its size, and a CSV upload that replaces or updates it (ideas/voting/census.py)."""

    template_name = "ideas/admin/voting/census.html"
    permission = "ideas.upload_census"
    page_title = _("Census list")

    def post(self, request, *args, **kwargs):
        form = CensusUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                text = io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline="")
                report = load_census(text, replace=form.cleaned_data["replace"])
            except UnicodeDecodeError:
                form.add_error(
                    "file", _("The file is not UTF-8 text. Save it as CSV UTF-8 and upload it again.")
                )
            except CensusFileError as error:
                form.add_error("file", str(error))
            else:
                CensusUpload.objects.create(
                    uploaded_by=request.user,
                    file_name=upload.name[:200],
                    loaded=report.loaded,
                    removed=report.removed,
                    total=report.total,
                )
                messages.success(
                    request,
                    _("Census list: %(loaded)s residents loaded, %(removed)s removed; %(total)s in all.")
                    % {"loaded": report.loaded, "removed": report.removed, "total": report.total},
                )
                return redirect(desk_url("census"))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, form=None, **kwargs):
        return super().get_context_data(
            form=form or CensusUploadForm(),
            census_size=CensusEntry.objects.count(),
            uploads=CensusUpload.objects.select_related("uploaded_by")[:20],
            **kwargs,
        )


class CountView(DeskView):
    """Counting: the rule, the button that queues the count, and past counts of the round."""

    template_name = "ideas/admin/voting/count.html"
    page_title = _("Count the votes")

    def rules(self):
        rules = dict(RULE_LABELS)
        if not self.budget_round.minimum_votes:
            rules.pop("greedy-threshold")
        return list(rules.items())

    def post(self, request, *args, **kwargs):
        if not self.may("ideas.count_votes"):
            raise PermissionDenied
        form = CountForm(
            request.POST, request.FILES, rules=self.rules(), needs_key=closing.needs_key(self.budget_round)
        )
        if form.is_valid():
            try:
                job = closing.start_count(
                    self.budget_round, form.cleaned_data["rule"], request.user, form.key()
                )
            except closing.CannotCount as refused:
                form.add_error(None, str(refused))
            else:
                return redirect(desk_url("job", self.budget_round.pk, job.pk))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def blank_form(self):
        # The round's own rule, the one residents were told about, is the default.
        return CountForm(
            rules=self.rules(),
            needs_key=closing.needs_key(self.budget_round),
            initial={"rule": self.budget_round.counting_rule},
        )

    def get_context_data(self, form=None, **kwargs):
        return super().get_context_data(
            budget_round=self.budget_round,
            round_rule=RULE_LABELS.get(self.budget_round.counting_rule, self.budget_round.counting_rule),
            form=form or self.blank_form(),
            why_not=closing.why_not_countable(self.budget_round),
            sealed=ballot_box.box_size(self.budget_round),
            opened_at=self.budget_round.ballot_box_opened_at,
            may_count=self.may("ideas.count_votes"),
            jobs=[
                (job, desk_url("job", self.budget_round.pk, job.pk))
                for job in CountJob.objects.filter(round=self.budget_round)[:20]
            ],
            **kwargs,
        )


class CountJobView(DeskView):
    """One count's progress; the page reloads itself (no JavaScript needed) until the count has finished."""

    template_name = "ideas/admin/voting/job.html"
    page_title = _("Counting")

    def get_context_data(self, **kwargs):
        job = get_object_or_404(CountJob, pk=self.kwargs["job_pk"], round=self.budget_round)
        results = list(
            RoundResult.objects.filter(pk__in=job.result_ids)
            .select_related("area", "published_by")
            .order_by("pk")
        )
        unpublished = [result for result in results if result.published_at is None]
        return super().get_context_data(
            budget_round=self.budget_round,
            job=job,
            rule_label=RULE_LABELS.get(job.rule, job.rule),
            results=results,
            previews=[preview(result) for result in results] if job.state == CountJob.State.DONE else [],
            unpublished=unpublished,
            may_publish=bool(unpublished)
            and job.state == CountJob.State.DONE
            and self.may("ideas.publish_results"),
            publish_url=desk_url("publish", self.budget_round.pk, job.pk),
            confirm_form=kwargs.pop("confirm_form", None) or ConfirmForm(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        """Publish the count shown, after the confirmation box is ticked."""
        job = get_object_or_404(CountJob, pk=self.kwargs["job_pk"], round=self.budget_round)
        results = RoundResult.objects.filter(pk__in=job.result_ids, round=self.budget_round)
        if job.state != CountJob.State.DONE or not results.exists():
            messages.error(request, _("Only a finished count can be published."))
            return redirect(desk_url("job", self.budget_round.pk, job.pk))
        if not results.filter(published_at__isnull=True).exists():
            messages.info(request, _("These results are published already; nothing changed."))
            return redirect(desk_url("job", self.budget_round.pk, job.pk))
        if not self.may("ideas.publish_results"):
            raise PermissionDenied
        form = ConfirmForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Tick the box to confirm that you have checked the results."))
            return self.render_to_response(self.get_context_data(confirm_form=form), status=400)
        count = publish_results(self.budget_round, list(results), request.user)
        if count:
            messages.success(
                request,
                _(
                    "The results are published: residents see them now, and the ideas on the ballot are selected or not selected."
                ),
            )
        else:
            messages.info(request, _("These results are published already; nothing changed."))
        return redirect(desk_url("job", self.budget_round.pk, job.pk))


def preview(result):
    """A count as staff check it before publishing: each idea with its votes, cost and the explanation in words
    that residents will read (ideas/voting/results_page.explanation_text)."""
    ideas = {str(idea.pk): idea for idea in Idea.objects.filter(round=result.round_id)}
    votes = result.outcome.get("votes", {})
    # Costs as counted (net of partners' co-funding), from the counted file: not today's idea values.
    costs = stored_costs(result)
    rows = []
    for pid, explanation in result.explanations.items():
        idea = ideas.get(pid)
        counted = costs.get(pid, {})
        rows.append(
            {
                "title": idea.title if idea else pid,
                "votes": votes.get(pid, 0),
                "cost": counted.get("cost"),
                "official_cost": counted.get("official_cost"),
                "cofunding": counted.get("cofunding"),
                "funded": bool(explanation.get("funded")),
                "step": explanation.get("step"),
                "explanation": explanation_text(explanation),
            }
        )
    rows.sort(key=lambda row: (not row["funded"], row["step"] or 0, -row["votes"]))
    return {"result": result, "rows": rows}


# The round's lifecycle: ballot, opening and closing the vote, implementation --------------------------------


def lifecycle_context(view, budget_round):
    """What the round page of the desk shows about the round's lifecycle: warnings, the next steps, and who
    may take them."""
    phase = budget_round.current_phase()
    closed = bool(budget_round.voting_closed_at) or phase in (Phase.RESULTS, Phase.IMPLEMENTATION)
    waiting = lifecycle.unpublished_counts(budget_round)
    published = RoundResult.objects.filter(round=budget_round, published_at__isnull=False).exists()
    funded = Idea.objects.filter(round=budget_round, status=Status.SELECTED).count()
    return {
        "warnings": lifecycle.voting_soon_with_problems(budget_round),
        # The legal minimum: a warning of its own (never in `warnings`, which are what stops voting opening).
        "legal_minimum_warnings": [] if closed else lifecycle.legal_minimum_warnings(budget_round),
        "tax_revenue_url": reverse("tax_revenue:index")
        if view.request.user.has_perm("ideas.enter_tax_revenue")
        else "",
        "rule_label": RULE_LABELS.get(budget_round.counting_rule, budget_round.counting_rule),
        "ballot_url": desk_url("ballot", budget_round.pk),
        "open_url": desk_url("open", budget_round.pk),
        "close_url": desk_url("close", budget_round.pk),
        "implementation_url": desk_url("implementation", budget_round.pk),
        "on_ballot": Idea.objects.filter(round=budget_round, status=Status.ON_BALLOT).count(),
        "may_build_ballot": view.may("ideas.build_ballot") and not lifecycle.ballot_is_frozen(budget_round),
        "may_open": view.may("ideas.open_voting") and not budget_round.voting_opened_at and not closed,
        "voting_closed": closed,
        "waiting_jobs": [
            desk_url("job", budget_round.pk, job.pk)
            for job in CountJob.objects.filter(round=budget_round, state=CountJob.State.DONE)
            if set(job.result_ids) & set(waiting.values_list("pk", flat=True))
        ][:1],
        "funded_waiting": funded if published else 0,
        "may_implement": view.may("ideas.implement_idea") and published and funded > 0,
    }


class BallotView(DeskView):
    """The ballot builder: feasible ideas with their supports against the round's minimum; staff tick the ones
    that go on the ballot (per area when the round has a ballot per area). ideas/lifecycle.build_ballot."""

    template_name = "ideas/admin/voting/ballot.html"
    page_title = _("Build the ballot")

    def area(self):
        areas = lifecycle.ballot_areas(self.budget_round)
        if areas == [None] or not areas:
            return None
        code = self.request.POST.get("area") or self.request.GET.get("area")
        return next((area for area in areas if area.code == code), areas[0])

    def post(self, request, *args, **kwargs):
        if not self.may("ideas.build_ballot"):
            raise PermissionDenied
        area = self.area()
        candidates = lifecycle.ballot_candidates(self.budget_round, area)
        form = BallotBuilderForm(request.POST, candidates=candidates)
        if form.is_valid():
            chosen = [idea for idea in candidates if idea.pk in set(form.cleaned_data["ideas"])]
            try:
                changed = lifecycle.build_ballot(
                    self.budget_round, chosen, request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if changed:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)s idea is now on the ballot.",
                            "%(count)s ideas are now on the ballot.",
                            len(changed),
                        )
                        % {"count": len(changed)},
                    )
                else:
                    messages.info(
                        request, _("Nothing changed: tick the feasible ideas to put on the ballot.")
                    )
                return redirect(
                    desk_url("ballot", self.budget_round.pk) + (f"?area={area.code}" if area else "")
                )
        return self.render_to_response(self.get_context_data(form=form, area=area), status=400)

    def get_context_data(self, form=None, area=None, **kwargs):
        area = area or self.area()
        candidates = lifecycle.ballot_candidates(self.budget_round, area)
        areas = [a for a in lifecycle.ballot_areas(self.budget_round) if a is not None]
        if form is None:
            form = BallotBuilderForm(
                candidates=candidates,
                initial={
                    "ideas": [
                        idea.pk
                        for idea in candidates
                        if idea.meets_threshold or idea.status == Status.ON_BALLOT
                    ]
                },
            )
        chosen = {str(value) for value in (form["ideas"].value() or [])}
        return super().get_context_data(
            budget_round=self.budget_round,
            area=area,
            areas=[
                (a, desk_url("ballot", self.budget_round.pk) + f"?area={a.code}", a == area) for a in areas
            ],
            rows=[
                {
                    "idea": idea,
                    "on_ballot": idea.status == Status.ON_BALLOT,
                    "checked": idea.status == Status.ON_BALLOT or str(idea.pk) in chosen,
                }
                for idea in candidates
            ],
            form=form,
            minimum=self.budget_round.minimum_supports,
            frozen=lifecycle.ballot_is_frozen(self.budget_round),
            may_build=self.may("ideas.build_ballot"),
            **kwargs,
        )


class ConfirmStepView(DeskView):
    """Base of the steps that ask for a confirmation after a summary (opening and closing the vote, moving
    funded ideas to implementation): GET shows the summary, POST with the box ticked does it."""

    template_name = "ideas/admin/voting/confirm.html"
    action_permission = None
    button_label = ""
    danger = False

    def already_done(self):
        """A message when the step was taken already (a second POST is then a no-op), else None."""
        return None

    def summary(self):
        return []

    def problems(self):
        return []

    def notices(self):
        """Warnings shown above the button that do not stop the step (the legal minimum)."""
        return []

    def do(self):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        if done := self.already_done():
            messages.info(request, done)
            return self.back("round")
        if not self.may(self.action_permission):
            raise PermissionDenied
        form = ConfirmForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            message = self.do()
        except (closing.CannotOpen, closing.CannotCount, ValidationError) as refused:
            text = " ".join(refused.messages) if isinstance(refused, ValidationError) else str(refused)
            messages.error(request, text)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(request, message)
        return self.back("round")

    def get_context_data(self, form=None, **kwargs):
        return super().get_context_data(
            budget_round=self.budget_round,
            summary=self.summary(),
            problems=self.problems(),
            notices=self.notices(),
            already_done=self.already_done(),
            may=self.may(self.action_permission),
            form=form or ConfirmForm(),
            button_label=self.button_label,
            danger=self.danger,
            round_url=desk_url("round", self.budget_round.pk),
            **kwargs,
        )


def ballot_summary(budget_round):
    """Ideas on the ballot, per area when the round has a ballot per area: [(label, count)]."""
    from ideas.voting.casting import ballot_ideas

    rows = []
    for area in lifecycle.ballot_areas(budget_round):
        count = ballot_ideas(budget_round, area).count()
        label = (
            _("Ideas on the ballot of %(area)s") % {"area": area.localized_name()}
            if area
            else _("Ideas on the ballot")
        )
        rows.append((label, count))
    return rows


class OpenVotingView(ConfirmStepView):
    """Open the vote now (ideas/voting/closing.open_voting), after a summary of what is ready."""

    page_title = _("Open voting")
    action_permission = "ideas.open_voting"
    button_label = _("Open voting now")

    def already_done(self):
        budget_round = self.budget_round
        if budget_round.voting_opened_at and budget_round.current_phase() == Phase.VOTING:
            return _("Voting is open already; nothing changed.")
        return None

    def summary(self):
        budget_round = self.budget_round
        plan = closing.opening_plan(budget_round)
        key = sealing.key_id(budget_round.counting_public_key) if budget_round.counting_public_key else ""
        return [
            *ballot_summary(budget_round),
            (_("Residents on the census list"), CensusEntry.objects.count()),
            (_("Counting keys"), _("made (key %(key)s)") % {"key": key} if key else _("not made")),
            (_("Counting rule"), RULE_LABELS.get(budget_round.counting_rule, budget_round.counting_rule)),
            (_("Voting starts"), plan["voting_starts"]),
            (_("Voting ends, results"), plan["results_published"]),
        ]

    def problems(self):
        reason = closing.why_not_openable(self.budget_round)
        return [reason] if reason else []

    def notices(self):
        return lifecycle.legal_minimum_warnings(self.budget_round)

    def do(self):
        if closing.open_voting(self.budget_round, self.request.user):
            return _("Voting is open: residents can vote now.")
        return _("Voting is open already; nothing changed.")


class CloseVotingView(ConfirmStepView):
    """Close the vote now (ideas/voting/closing.close_voting), after a summary of the ballots."""

    page_title = _("Close voting")
    action_permission = "ideas.close_voting"
    button_label = _("Close voting now")
    danger = True

    def already_done(self):
        budget_round = self.budget_round
        if budget_round.voting_closed_at or budget_round.current_phase() in (
            Phase.RESULTS,
            Phase.IMPLEMENTATION,
        ):
            return _("Voting is closed already; nothing changed.")
        return None

    def summary(self):
        budget_round = self.budget_round
        return [
            (_("Voters in the register"), VoterRecord.objects.filter(round=budget_round).count()),
            (_("Sealed ballots in the box"), ballot_box.box_size(budget_round)),
            (
                _("Typed-in paper ballots waiting for confirmation"),
                PaperBallotEntry.objects.filter(
                    round=budget_round, state=PaperBallotEntry.State.PENDING
                ).count(),
            ),
            (_("Counting rule"), RULE_LABELS.get(budget_round.counting_rule, budget_round.counting_rule)),
        ]

    def problems(self):
        if self.budget_round.current_phase() != Phase.VOTING:
            return [_("Voting is not open, so it cannot be closed.")]
        return []

    def do(self):
        if closing.close_voting(self.budget_round, self.request.user):
            return _("Voting is closed. Type in the remaining paper ballots, then count.")
        return _("Voting is closed already; nothing changed.")


class ImplementationView(ConfirmStepView):
    """Move the round's funded (selected) ideas to "in implementation" (ideas/lifecycle.start_implementation)."""

    page_title = _("Move funded ideas to implementation")
    action_permission = "ideas.implement_idea"
    button_label = _("Move funded ideas to implementation")

    def funded(self):
        return Idea.objects.filter(round=self.budget_round, status=Status.SELECTED).order_by("title")

    def already_done(self):
        if (
            not self.funded().exists()
            and Idea.objects.filter(
                round=self.budget_round, status__in=[Status.IN_IMPLEMENTATION, Status.COMPLETED]
            ).exists()
        ):
            return _("The funded ideas are in implementation already; nothing changed.")
        return None

    def summary(self):
        return [(idea.title, idea.get_status_display()) for idea in self.funded()]

    def problems(self):
        if not RoundResult.objects.filter(round=self.budget_round, published_at__isnull=False).exists():
            return [_("Publish the results first: only funded ideas go on to implementation.")]
        if not self.funded().exists():
            return [_("No idea of this round is selected.")]
        return []

    def do(self):
        moved = lifecycle.start_implementation(self.budget_round, self.request.user)
        return ngettext(
            "%(count)s funded idea is now in implementation.",
            "%(count)s funded ideas are now in implementation.",
            len(moved),
        ) % {"count": len(moved)}
