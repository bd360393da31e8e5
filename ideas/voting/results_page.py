"""The public results page of a round (route `results/` of BudgetRoundPage): funded ideas, budget used, votes,
every idea's explanation in words beside a bar of its votes, Equal Shares against greedy, participation, and the counted .pb file
for anyone to recount.

Everything about the count comes from the stored snapshot (ideas/voting/results.py), never from today's ideas:
each idea's cost to the budget is the `cost` the counted file gave it, and a co-funded idea's official cost and
partners' co-funding come from the file's `official_cost` and `cofunding` columns (ideas/voting/pabulib_io.py),
so both costs are shown as they were counted; its explanation says how the co-funding lowered its cost.

A view reads all of it from the snapshot: the costs counted, Equal Shares against greedy and participation were
computed once at the count and stored in RoundResult.comparison (ideas/voting/comparison.py); the page neither
parses the counted file nor runs the counting engine (tests/ideas/test_results_stored.py)."""

import functools
import hashlib
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.template.loader import get_template, render_to_string
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from home.page_cache import fragment
from ideas.models import Ballot, Channel, CountedReceipt, Idea, RoundResult, VoterRecord
from ideas.text.formats import money
from ideas.voting import comparison, sealing


def _euros(value):
    """An amount in euros as the reader's language writes it ("14 194,16 €" in Latvian, "€14,194.16" in
    English; ideas/text/formats.py), whole amounts without decimals; anything that is not a number is left as
    it is."""
    return money(value, get_language()) or value


AMOUNTS = ("left", "cost", "held", "needed", "official_cost", "cofunding", "left_before")


def explanation_text(explanation):
    """One sentence, in the reader's language, of why an idea was or was not funded (for a co-funded idea, how
    partners' co-funding lowered its cost to the budget: _cofunded_text)."""
    explanation = {key: _euros(value) if key in AMOUNTS else value for key, value in explanation.items()}
    if explanation.get("cofunded"):
        text = _cofunded_text(explanation)
        if text:
            return text
    if explanation.get("funded"):
        payments = explanation.get("payments")
        if payments:
            return _("Funded in step %(step)s: its %(supporters)s supporters paid %(total)s together.") % {
                "step": explanation["step"],
                "supporters": payments.get("supporters"),
                "total": _euros(payments.get("total")),
            }
        return _("Funded in step %(step)s; %(left)s of the budget was left after it.") % {
            "step": explanation["step"],
            "left": explanation.get("left", "?"),
        }
    reason = explanation.get("reason")
    texts = {
        "budget_left": lambda: (
            _("Not funded: %(left)s was left when its turn came, and it costs %(cost)s.") % explanation
        ),
        "walk_stopped": lambda: _("Not funded: the count stopped at an earlier idea that did not fit."),
        "supporters_short": lambda: (
            _("Not funded: its supporters had %(held)s of their share left, and it needed %(needed)s.")
            % explanation
        ),
        "no_supporters": lambda: _("Not funded: nobody voted for it."),
        "zero_cost": lambda: _("Not counted: it has no cost."),
        "below_threshold": lambda: _("Not funded: it had fewer votes than the minimum needed."),
        "sentinel": lambda: _("Not funded: it was on the ballot but could not be carried out."),
    }
    return texts.get(reason, lambda: _("Not funded."))()


def _cofunded_text(explanation):
    """The explanation of a co-funded idea (ideas/counting/explain.with_cofunding, amounts already worded), or
    None when its reason needs no word about co-funding (e.g. nobody voted for it)."""
    if explanation.get("funded"):
        payments = explanation.get("payments")
        if payments:
            return _(
                "Funded in step %(step)s: partners' co-funding of %(cofunding)s lowered its cost to the budget "
                "to %(cost)s, which its %(supporters)s supporters paid together."
            ) % {
                "step": explanation["step"],
                "cofunding": explanation["cofunding"],
                "cost": _euros(payments.get("total")),
                "supporters": payments.get("supporters"),
            }
        if "left_before" not in explanation:
            return None
        text = (
            _(
                "Funded in step %(step)s: partners' co-funding of %(cofunding)s lowered its cost to the budget to "
                "%(cost)s, which fit in the %(left_before)s left."
            )
            % explanation
        )
        if explanation.get("fits_only_with_cofunding"):
            text += " " + _("Its full cost of %(official_cost)s would not have fit.") % explanation
        return text
    texts = {
        "budget_left": lambda: _(
            "Not funded: %(left)s was left when its turn came, and even after partners' co-funding of "
            "%(cofunding)s it costs the budget %(cost)s."
        ),
        "supporters_short": lambda: _(
            "Not funded: its supporters had %(held)s of their share left, and even after partners' co-funding "
            "of %(cofunding)s it needed %(needed)s from the budget."
        ),
        "zero_cost": lambda: _(
            "Not counted: partners' co-funding of %(cofunding)s covers its whole cost, so the budget pays "
            "nothing for it and the Method of Equal Shares does not count it."
        ),
    }
    text = texts.get(explanation.get("reason"))
    return text() % explanation if text else None


def counted_costs(election):
    """{project id: {"cost", "official_cost", "cofunding"}} as the counted file (a parsed RoundResult.pb_file)
    gives them: `cost` is what the idea cost the budget in the count; the other two are None unless partners
    co-funded it. For the desk's preview of a count (ideas/moderation/voting.py); the results page reads the
    same figures stored with the count (stored_costs)."""
    return comparison.counted_costs(election)


def _amount(text):
    return None if text is None else Decimal(text)


def page_data(result):
    """What the results page shows beside the outcome: RoundResult.comparison as the count stored it
    (ideas/voting/comparison.py), or, for a snapshot without it, the same computed now from its counted file and
    the register. FALLBACK, not stored (a snapshot never changes): only results the field's migration could not
    fill, or stored in an older shape (comparison.VERSION: bump it with a migration that fills the new shape),
    take this slow path, which parses the file and counts it twice on every view."""
    stored = result.comparison or {}
    if stored.get("version") == comparison.VERSION:
        return stored
    from ideas.counting import parse_text  # only on this slow path

    election = parse_text(result.pb_file, source="result.pb")
    return comparison.build(
        election,
        result.rule,
        comparison.participation(VoterRecord, Ballot, result.round_id, result.round.voting_starts),
    )


def stored_costs(result, data=None):
    """{project id: {"cost", "official_cost", "cofunding"}} (Decimals or None) as the count stored them, for the
    results page and the desk's preview of a count."""
    data = data if data is not None else page_data(result)
    return {
        pid: {name: _amount(amount) for name, amount in cost.items()} for pid, cost in data["costs"].items()
    }


def _latest_by_area(budget_round):
    """The newest result of each part of a round: {area or None: result}, areas in the order of their names."""
    latest = {}
    # The counted files and explanations can be megabytes each: only the one shown is loaded in full.
    # Only published counts: a count is a private preview for staff until it is published (voting/results.py).
    results = RoundResult.objects.filter(round=budget_round, published_at__isnull=False).defer(
        "pb_file", "explanations", "comparison"
    )
    for result in results.select_related("area").order_by("-created_at", "-pk"):
        latest.setdefault(result.area, result)
    return dict(
        sorted(
            latest.items(),
            key=lambda item: (item[0] is not None, item[0].localized_name() if item[0] else ""),
        )
    )


def _area_links(page, latest, shown):
    """For a round counted per area: each area's funded ideas and budget used, linking to its own results."""
    base = page.url + page.reverse_subpage("results")
    return [
        {
            "name": area.localized_name(),
            "url": f"{base}?area={area.code}",
            "funded": len(result.outcome.get("selected", [])),
            "used": Decimal(result.outcome["cost"]),
            "budget": Decimal(result.outcome["budget"]),
            "voters": result.outcome.get("voters", 0),
            "current": result.pk == shown.pk,
        }
        for area, result in latest.items()
        if area is not None
    ]


def receipt_check(budget_round, typed):
    """What the results page says about a receipt a voter typed in: None when nothing was typed, else whether
    a counted ballot's fingerprint starts with it (at least 16 hex digits, so that one cannot fish)."""
    wanted = sealing.normalise_receipt(typed)
    if not typed.strip():
        return None
    if len(wanted) < 16:
        return {"typed": typed[:40], "valid": False, "found": False}
    found = CountedReceipt.objects.filter(round=budget_round, fingerprint__startswith=wanted[:64]).exists()
    return {"typed": typed[:40], "valid": True, "found": found}


# The stored parts of the results body: the outcome, "Was my ballot counted?" with nothing typed in, and how to
# check the count.
BODY_PARTS = {
    "head": "ideas/voting/_results_body.html",
    "receipt": "ideas/voting/_results_receipt.html",
    "tail": "ideas/voting/_results_body.html",
}


@functools.cache
def body_version():
    """A digest of what the stored body is made from besides the data: its templates and the compiled
    translations. Part of the fragment's name, so that during a deploy a server of the old release and one of
    the new never serve each other's body (migrate also renews every fragment: home/page_cache.py)."""
    digest = hashlib.sha256()
    for name in dict.fromkeys(BODY_PARTS.values()):
        digest.update(Path(get_template(name).origin.name).read_bytes())
    for folder in settings.LOCALE_PATHS:
        for compiled in sorted(Path(folder).glob("*/LC_MESSAGES/django.mo")):
            digest.update(compiled.read_bytes())
    return digest.hexdigest()[:16]


def results(request, page):
    """`results/` (route "results" of BudgetRoundPage): the newest count of the round, or of one area
    (`?area=code`) when the round was counted per area, with a table of every area's result. The body is rendered
    once per page, area, language and public change (home/page_cache.fragment: a new count, an idea's new title
    or a moved page renews it); only the receipt check is the visitor's own."""
    wanted = request.GET.get("area") or ""
    body = fragment(("results", body_version(), page.pk, wanted, get_language()), lambda: _body(page, wanted))
    typed = request.GET.get("receipt", "")
    return TemplateResponse(
        request,
        "ideas/voting/results.html",
        {
            "page": page,
            # Our own templates' output (_body), kept as text in the cache.
            "body": {**body, **{part: mark_safe(body[part]) for part in BODY_PARTS}},
            # Only a typed receipt reads the page's round (the route fetched the page alone).
            "receipt_check": receipt_check(page.budget_round_id, typed) if typed.strip() else None,
            "breadcrumb_current": _("Results"),
        },
    )


def _body(page, wanted):
    """The results body of `page` for the area code `wanted` ("" for the round's first), as text: nothing in it
    depends on who asks (rendered without a request)."""
    # By id: the results route fetches the page without its round (BudgetRoundPage.route_related).
    budget_round = page.budget_round_id
    latest = _latest_by_area(budget_round)
    if not latest:
        raise Http404(_("The results of this round have not been published yet."))
    by_code = {area.code: result for area, result in latest.items() if area is not None}
    if wanted and wanted not in by_code:
        raise Http404(_("This area has no results in this round."))
    shown = by_code[wanted] if wanted else next(iter(latest.values()))
    # The counted file is not read: what the page shows from it was stored with the count (page_data).
    result = RoundResult.objects.select_related("area").defer("pb_file").get(pk=shown.pk)
    data = page_data(result)
    outcome = result.outcome
    # Today's titles and links; everything counted comes from the snapshot.
    titles = dict(Idea.objects.filter(round=budget_round).values_list("pk", "title").order_by())
    page_url = page.url
    # The costs the counted file gave each idea and, for co-funded ideas, both costs.
    costs = stored_costs(result, data)
    nothing = {"cost": Decimal(0), "official_cost": None, "cofunding": None}
    rows = []
    for pid, explanation in result.explanations.items():
        title = titles.get(int(pid)) if pid.isdigit() else None
        rows.append(
            {
                "title": title if title is not None else pid,
                "url": page_url + page.reverse_subpage("idea", args=[int(pid)]) if title is not None else "",
                "votes": outcome.get("votes", {}).get(pid, 0),
                **costs.get(pid, nothing),
                "funded": bool(explanation.get("funded")),
                "step": explanation.get("step"),
                "explanation": explanation_text(explanation),
            }
        )
    rows.sort(key=lambda row: (not row["funded"], row["step"] or 0, -row["votes"]))
    budget = Decimal(outcome["budget"])
    used = Decimal(outcome["cost"])

    # Equal Shares against greedy on the very file that was counted, as counted then (comparison.methods).
    methods = [
        {
            "rule": method["rule"],
            "completed": method["completed"],
            "titles": [
                titles[int(pid)] for pid in method["selected"] if pid.isdigit() and int(pid) in titles
            ],
        }
        for method in data["methods"]
    ]
    taking_part = data["participation"]
    participation = {
        # Lists of pairs, not dicts: in a template, `.items` of a Counter would look up the key "items".
        "channels": [(Channel(channel).label, count) for channel, count in taking_part["channels"]],
        # From the register, never from ballots: an age on a ballot could single out its voter.
        "age_bands": [tuple(pair) for pair in taking_part["age_bands"]],
        "areas": [tuple(pair) for pair in taking_part["areas"]],
    }
    context = {
        "page": page,
        "body": {"result_pk": result.pk, "area_code": result.area.code if result.area else ""},
        "receipt_check": None,
        "result": result,
        "area": result.area,
        "area_links": _area_links(page, latest, result),
        "delivery_url": page_url + page.reverse_subpage("delivery"),
        "rows": rows,
        "budget": budget,
        "used": used,
        "used_percent": int(used * 100 / budget) if budget else 0,
        # Partners' co-funding of the funded ideas (counts made before co-funding have none).
        "cofunding": Decimal(outcome.get("cofunding") or 0),
        "voters": outcome.get("voters", 0),
        "comparison": methods,
        # The longest bar of "every idea and why" (the bars are drawn in HTML, _results_body.html).
        "max_votes": max((row["votes"] for row in rows), default=0),
        "participation": participation,
    }
    return {
        **context["body"],
        # Plain text, not SafeString: what the cache keeps is the same on every Python.
        **{
            part: str(render_to_string(template, {**context, "part": part}))
            for part, template in BODY_PARTS.items()
        },
    }
