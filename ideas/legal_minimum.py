"""The least a municipality must put into participatory budgeting: 0.5 % of the average yearly revenue from
personal income tax and real estate tax over the last three years (Local Government Law, "Pašvaldību likums").

`minimum_budget` is plain Python; `round_minimum` reads the revenue staff entered (TaxRevenue) for a round.
The round page shows the minimum; the voting desk and the round's lifecycle screens warn when the round's
budget is below it.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SHARE = Decimal("0.005")
YEARS = 3


@dataclass(frozen=True)
class LegalMinimum:
    years: tuple[int, ...]  # the years the law looks at, oldest first
    missing: tuple[int, ...]  # of those, the years without entered revenue
    average: Decimal | None  # average yearly revenue of both taxes, when no year is missing
    minimum: Decimal | None  # 0.5 % of the average, rounded to the cent

    @property
    def known(self):
        return self.minimum is not None

    def shortfall(self, budget):
        """How much `budget` falls short of the minimum (0 when it meets it; None when the minimum is unknown)."""
        if self.minimum is None:
            return None
        return max(self.minimum - Decimal(budget), Decimal(0))


def minimum_budget(revenue_by_year, year):
    """The legal minimum for a budget of `year`, from {year: personal income tax + real estate tax} of the
    three years before it."""
    years = tuple(range(year - YEARS, year))
    missing = tuple(y for y in years if y not in revenue_by_year)
    if missing:
        return LegalMinimum(years, missing, None, None)
    average = sum((Decimal(revenue_by_year[y]) for y in years), Decimal(0)) / YEARS
    minimum = (average * SHARE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return LegalMinimum(years, (), average.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), minimum)


def round_minimum(budget_round):
    """The legal minimum for a round, from the revenue staff entered; the round's year is its voting year."""
    from ideas.models import TaxRevenue

    year = budget_round.voting_starts.year
    revenue = {
        row.year: row.total for row in TaxRevenue.objects.filter(year__gte=year - YEARS, year__lt=year)
    }
    return minimum_budget(revenue, year)


def budget_below_minimum(budget_round):
    """The shortfall when the round's total budget is below the legal minimum, else None (also when the
    revenue is not entered: the desk then asks for it)."""
    shortfall = round_minimum(budget_round).shortfall(budget_round.total_budget)
    return shortfall if shortfall else None


def enter_tax_revenue(user, *, year, personal_income_tax, real_estate_tax, source=""):
    """Staff enter (or correct) one year's tax revenue; audit-logged. Returns the TaxRevenue."""
    from django.core.exceptions import PermissionDenied
    from wagtail.log_actions import log

    from ideas.models import TaxRevenue

    if user is not None and not user.has_perm("ideas.enter_tax_revenue", None):
        raise PermissionDenied
    row = TaxRevenue.objects.filter(year=year).first() or TaxRevenue(year=year)
    row.personal_income_tax, row.real_estate_tax, row.source = personal_income_tax, real_estate_tax, source
    row.full_clean()  # ValidationError names the field at fault
    row.save()
    log(instance=row, action="ideas.tax_revenue.entered", user=user, data={"year": year})
    return row
