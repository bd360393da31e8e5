"""The legal minimum of a participatory budget (issue 10; ideas/legal_minimum.py): 0.5 % of the average
personal income tax and real estate tax revenue of the three years before the round. The computation itself,
missing years and rounding; the round page shows residents the minimum in Latvian and English once all three
years are entered; the voting desk warns staff when the round's budget is below it (a warning, never a reason
to keep voting shut) and asks for the missing years."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from ideas import lifecycle
from ideas.legal_minimum import (
    budget_below_minimum,
    enter_tax_revenue,
    minimum_budget,
    round_minimum,
)
from ideas.models import BudgetRound, BudgetRoundPage, TaxRevenue
from ideas.phases import Phase
from ideas.voting import closing
from tests.factories import round_in_phase, verified_resident

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
DASH = "\N{EN DASH}"  # between the first and the last year


@pytest.fixture(autouse=True)
def _english_and_no_revenue():
    """Admin strings are read in English; each test enters the revenue it needs (none from the demo)."""
    TaxRevenue.objects.all().delete()
    with translation.override("en"):
        yield


def staff(username, *groups):
    user = verified_resident(username, email=f"{username}@kekava.example", groups=list(groups))
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "en"})
    client = Client()
    client.force_login(user)
    return client, user


def enter(years_and_totals):
    """Enter each year's revenue, split between the two taxes (the minimum uses their sum)."""
    for year, total in years_and_totals.items():
        total = Decimal(total)
        enter_tax_revenue(
            None, year=year, personal_income_tax=total - Decimal(100_000), real_estate_tax=Decimal(100_000)
        )


def revenue_for_minimum(budget_round, minimum):
    """Revenue of the round's three years whose average makes the legal minimum exactly `minimum`."""
    years = round_minimum(budget_round).years
    average = Decimal(minimum) / Decimal("0.005")
    # Different years, same average: the first one lower, the last one higher.
    enter({years[0]: average - 69_000, years[1]: average, years[2]: average + 69_000})
    return years


# The computation -------------------------------------------------------------------------------------------


def test_the_minimum_is_half_a_percent_of_the_three_years_average():
    legal = minimum_budget({2023: 2_400_000, 2024: 2_469_000, 2025: 2_538_000, 2022: 9_999_999}, 2026)
    assert legal.years == (2023, 2024, 2025) and legal.missing == ()
    assert legal.average == Decimal("2469000.00") and legal.minimum == Decimal("12345.00")
    assert legal.known
    assert legal.shortfall(10_000) == Decimal("2345.00")
    assert legal.shortfall(Decimal("60000")) == 0 and legal.shortfall(Decimal("12345.00")) == 0


def test_missing_years_leave_the_minimum_unknown():
    legal = minimum_budget({2023: 2_400_000, 2025: 2_538_000, 2026: 1}, 2026)
    assert legal.missing == (2024,) and legal.minimum is None and legal.average is None
    assert not legal.known and legal.shortfall(1) is None
    assert minimum_budget({}, 2026).missing == (2023, 2024, 2025)


def test_the_minimum_is_rounded_half_up_to_the_cent():
    # 0.5 % of 1001 is 5.005: half-up gives 5.01 (banker's rounding would give 5.00).
    assert minimum_budget({2023: 1001, 2024: 1001, 2025: 1001}, 2026).minimum == Decimal("5.01")
    # An average with a recurring decimal: 1000 / 3 * 0.005 = 1.6666… → 1.67.
    legal = minimum_budget({2023: 0, 2024: 0, 2025: 1000}, 2026)
    assert legal.average == Decimal("333.33") and legal.minimum == Decimal("1.67")


def test_a_round_reads_the_revenue_of_the_three_years_before_its_vote():
    budget_round = round_in_phase(Phase.SUPPORT, total_budget=Decimal("10000"))
    year = budget_round.voting_starts.year
    assert round_minimum(budget_round).years == (year - 3, year - 2, year - 1)
    revenue_for_minimum(budget_round, "12345")
    assert round_minimum(budget_round).minimum == Decimal("12345.00")
    assert budget_below_minimum(budget_round) == Decimal("2345.00")
    BudgetRound.objects.filter(pk=budget_round.pk).update(total_budget=Decimal("12345"))
    budget_round.refresh_from_db()
    assert budget_below_minimum(budget_round) is None


def test_only_moderators_enter_tax_revenue():
    _client, editor = staff("minimum-editor", "Editors")
    with pytest.raises(PermissionDenied):
        enter_tax_revenue(editor, year=2024, personal_income_tax=Decimal(1), real_estate_tax=Decimal(1))
    _client, moderator = staff("minimum-moderator", "Moderators")
    row = enter_tax_revenue(
        moderator, year=2024, personal_income_tax=Decimal(5), real_estate_tax=Decimal(2), source="Report"
    )
    assert row.total == Decimal(7)
    enter_tax_revenue(moderator, year=2024, personal_income_tax=Decimal(6), real_estate_tax=Decimal(2))
    assert TaxRevenue.objects.get(year=2024).total == Decimal(8), "a second entry corrects the year"


# The round page --------------------------------------------------------------------------------------------


@pytest.fixture
def demo_round_page(lv):
    page = BudgetRoundPage.objects.get(slug="zalaka-apkaime-2026", locale=lv)
    BudgetRound.objects.filter(pk=page.budget_round_id).update(total_budget=Decimal("60000"))
    page.budget_round.refresh_from_db()
    return page


def legal_paragraph(html):
    start = html.index("data-legal-minimum")
    return html[start : html.index("</p>", start)]


def test_the_round_page_shows_the_minimum_in_latvian_and_english(demo_round_page, en):
    first, _middle, last = revenue_for_minimum(demo_round_page.budget_round, "12345")
    latvian = legal_paragraph(Client().get(demo_round_page.url).content.decode())
    assert f"12{NBSP}345{NBSP}€" in latvian and f"60{NBSP}000{NBSP}€" in latvian
    assert f"{first}{DASH}{last}" in latvian
    english_page = demo_round_page.get_translation(en)
    english = legal_paragraph(Client().get(english_page.url).content.decode())
    assert (
        "The law requires a participatory budget of at least €12,345 (0.5 % of the average personal income tax "
        f"and real estate tax revenue of {first}{DASH}{last}). This round: €60,000."
        in " ".join(english.split())
    )


def test_the_round_page_says_nothing_while_a_year_is_missing(demo_round_page):
    years = round_minimum(demo_round_page.budget_round).years
    enter({years[0]: 2_000_000, years[2]: 2_000_000})
    assert "data-legal-minimum" not in Client().get(demo_round_page.url).content.decode()


# The voting desk -------------------------------------------------------------------------------------------


@pytest.fixture
def moderator_client():
    return staff("minimum-desk", "Moderators")[0]


def desk_round(client, budget_round):
    return client.get(reverse("voting_desk:round", args=[budget_round.pk])).content.decode()


def test_the_desk_warns_when_the_budget_is_below_the_minimum(moderator_client):
    budget_round = round_in_phase(Phase.SUPPORT, total_budget=Decimal("10000"))
    revenue_for_minimum(budget_round, "12345")
    html = desk_round(moderator_client, budget_round)
    assert "data-legal-minimum-warning" in html
    assert "is €2,345 below the legal minimum of €12,345" in html
    assert reverse("tax_revenue:index") in html
    # A warning on the "Open voting" step too, but never a reason to keep voting shut.
    opening = moderator_client.get(reverse("voting_desk:open", args=[budget_round.pk])).content.decode()
    assert "data-notices" in opening and "below the legal minimum" in opening
    assert not any("legal minimum" in problem for problem in lifecycle.voting_problems(budget_round))
    assert "legal minimum" not in (closing.why_not_openable(budget_round) or "")
    # The dashboard points at it as well.
    home = moderator_client.get(reverse("wagtailadmin_home")).content.decode()
    assert f"{budget_round.name}: the budget is €2,345 below the legal minimum" in home


def test_the_desk_is_quiet_when_the_budget_meets_the_minimum(moderator_client):
    budget_round = round_in_phase(Phase.SUPPORT, total_budget=Decimal("60000"))
    revenue_for_minimum(budget_round, "12345")
    html = desk_round(moderator_client, budget_round)
    assert "data-legal-minimum-warning" not in html and "legal minimum" not in html
    home = moderator_client.get(reverse("wagtailadmin_home")).content.decode()
    assert f"{budget_round.name}: the budget is" not in home


def test_the_desk_asks_for_the_missing_revenue_years(moderator_client):
    budget_round = round_in_phase(Phase.SUPPORT, total_budget=Decimal("10000"))
    years = round_minimum(budget_round).years
    enter({years[1]: 2_000_000})
    html = desk_round(moderator_client, budget_round)
    assert "data-legal-minimum-warning" in html
    assert (
        f"enter the tax revenue of these years under Participation → Tax revenue: {years[0]}, {years[2]}"
        in html
    )
    enter({years[0]: 2_000_000})
    assert f"enter the tax revenue of {years[2]} under" in desk_round(moderator_client, budget_round)


def test_the_tax_revenue_screen_shows_each_rounds_minimum(moderator_client):
    below = round_in_phase(Phase.SUPPORT, name="Below the minimum", total_budget=Decimal("10000"))
    revenue_for_minimum(below, "12345")
    html = moderator_client.get(reverse("tax_revenue:index")).content.decode()
    row = html[html.index(f'data-round="{below.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "€12,345" in row and "€10,000" in row and "No: €2,345 short" in row
