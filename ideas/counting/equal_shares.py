"""The Method of Equal Shares (MES), its add1 completion and the comparison with utilitarian greedy.

MES with budget B gives each of the n voters B/n. Repeatedly, among the projects whose supporters still
hold at least the cost, it funds the one that is cheapest per unit of utility: the cost is split as equally
as possible (in proportion to utility) among the supporters, those who cannot pay their share paying all
they have, and the project with the smallest price per unit of utility (rho) wins. Approval and choose-1
ballots use cost utilities (every supporter gets utility = cost), so rho = largest payment / cost and the
winner is the one with the highest "effective vote count" cost / largest payment. Cumulative and scoring
ballots use utility = points. Ties: lower cost first, then more votes, then file order. Projects costing 0,
with no supporters or with the sentinel cost are never funded.

Exact arithmetic throughout (integers and Fractions). The speed comes from two facts: voters who cast the
same ballot always hold the same money, so the engine works on ballot groups; and voters holding the same
amount pay alike, so each project keeps counts per (money class, utility) instead of a list of voters. A
project's rho can only grow as money is spent, so the rounds use a lazy priority queue of lower bounds.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .explain import SENTINEL, Outcome, funded, money, not_funded
from .greedy import greedy
from .pabulib import Election
from .tally import Tally

# Ballot types whose ballots are approvals (cost utilities) and those whose points are the utilities.
COST_UTILITY_TYPES = ("approval", "choose-1")
POINTS_UTILITY_TYPES = ("cumulative", "scoring")


def _exact(value: Decimal) -> int | Fraction:
    """A Decimal as an int when whole (fast), else as an exact Fraction."""
    return int(value) if value == value.to_integral_value() else Fraction(value)


@dataclass
class _State:
    """The money of one MES run: each class's amount, the class of an amount, classes in money order and
    each class's position in it, and the class of each ballot group."""

    class_money: list[Fraction]
    class_of_money: dict[Fraction, int]
    order: list[int]
    rank: list[int]
    group_class: list[int]


@dataclass
class MesRun:
    """One MES run: winners (project indices in order), what each paid, and the final money classes."""

    budget: Fraction
    winners: list[int]
    payments: dict[int, dict]
    group_class: list[int]
    class_money: list[Fraction]
    total_cost: int | Fraction


class EqualShares:
    """MES prepared once for an election (groups, supporters, utilities) and run at any total budget."""

    def __init__(self, election: Election, tally: Tally):
        if election.vote_type in COST_UTILITY_TYPES:
            cost_utility = True
        elif election.vote_type in POINTS_UTILITY_TYPES:
            cost_utility = False
        else:
            raise ValueError(
                f"equal shares needs approval, choose-1, cumulative or scoring ballots, not {election.vote_type}"
            )
        self.election = election
        self.ids = list(election.projects)
        index = {pid: i for i, pid in enumerate(self.ids)}
        self.cost = [_exact(election.projects[pid].cost) for pid in self.ids]
        self.votes = [tally.votes[pid] for pid in self.ids]
        self.voters = election.voters
        # Price per unit of utility is compared across projects; with cost utilities a supporter's utility
        # for p is cost(p), so the equal split below (utility 1 each) is rescaled by the cost.
        self.scale = list(self.cost) if cost_utility else [1] * len(self.ids)

        merged: dict[tuple[tuple[int, int | Fraction], ...], int] = {}
        for ids, points, count in election.ballots:
            utility: dict[int, int | Fraction] = {}
            if cost_utility:
                for pid in ids:
                    utility[index[pid]] = 1  # a project named twice is still one approval
            else:
                for pid, value in zip(ids, points, strict=True):
                    utility[index[pid]] = utility.get(index[pid], 0) + value
            items = tuple(sorted((i, u) for i, u in utility.items() if u > 0))
            merged[items] = merged.get(items, 0) + count

        supporters: list[list[tuple[int, int]]] = [[] for _ in self.ids]
        # Utilities are numbered so that a (money class, utility) pair is one int: class * width + number.
        self.utility_values = sorted({u for items in merged for _i, u in items}) or [1]
        self.width = len(self.utility_values)
        number = {u: n for n, u in enumerate(self.utility_values)}
        group_items = [tuple((i, number[u]) for i, u in items) for items in merged]
        for g, items in enumerate(group_items):
            for i, n in items:
                supporters[i].append((g, n))
        self.group_count = list(merged.values())
        self.supporter_count = [sum(self.group_count[g] for g, _ in sup) for sup in supporters]
        self.total_utility = [
            sum(self.group_count[g] * self.utility_values[n] for g, n in sup) for sup in supporters
        ]
        self.candidates = [
            i
            for i, pid in enumerate(self.ids)
            if self.cost[i] > 0 and election.projects[pid].cost != SENTINEL and supporters[i]
        ]
        candidate = set(self.candidates)
        # Only candidates' entries matter when money moves; the others are dropped from the groups.
        self.group_items = [tuple((i, n) for i, n in items if i in candidate) for items in group_items]
        self.supporters = [supporters[i] if i in candidate else [] for i in range(len(self.ids))]
        self.initial_counts: dict[int, dict[int, int]] = {}
        for i in self.candidates:
            counts: dict[int, int] = {}
            for g, n in self.supporters[i]:
                counts[n] = counts.get(n, 0) + self.group_count[g]  # class 0: everybody's starting money
            self.initial_counts[i] = counts

    def _rho(self, i: int, counts: dict[int, int], class_money: list[Fraction], rank: list[int]):
        """The smallest price per unit of utility at which i's supporters can pay its cost (None if they
        cannot), rescaled so that it compares across projects."""
        cost = self.cost[i]
        paid = 0
        if self.width == 1:
            # Every supporter has the same utility, so the cost is split equally per head and the poorest
            # pay all they hold first: classes in money order (rank).
            remaining = self.supporter_count[i]
            for c in sorted(counts, key=rank.__getitem__):
                held = class_money[c]
                if held * remaining < cost - paid:
                    k = counts[c]
                    paid += held * k
                    remaining -= k
                else:
                    break
            else:
                return None  # even with all their money the supporters fall short
            return Fraction(cost - paid, remaining * self.scale[i] * self.utility_values[0])
        remaining = self.total_utility[i]
        width, values = self.width, self.utility_values
        entries = sorted(
            (class_money[key // width] / values[key % width], key, k) for key, k in counts.items()
        )
        for _ratio, key, k in entries:
            held, u = class_money[key // width], values[key % width]
            # A supporter who cannot pay the equal price per unit of utility pays all they hold.
            if held * remaining < (cost - paid) * u:
                paid += held * k
                remaining -= u * k
            else:
                break
        else:
            return None
        return Fraction(cost - paid, remaining * self.scale[i])

    def run(self, budget: Fraction | Decimal | int) -> MesRun:
        """MES with the given total budget (split equally among all voters), no completion."""
        budget = Fraction(budget)
        start = budget / self.voters if self.voters else Fraction(0)
        class_money = [start]
        state = _State(class_money, {start: 0}, [0], [0], [0] * len(self.group_count))
        counts: list[dict | None] = [None] * len(self.ids)
        for i, initial in self.initial_counts.items():
            counts[i] = dict(initial)
        # Lazy queue: (lower bound of rho, cost, -votes, index); rho never falls as money is spent.
        queue = [(Fraction(0), self.cost[i], -self.votes[i], i) for i in self.candidates]
        heapq.heapify(queue)
        winners: list[int] = []
        payments: dict[int, dict] = {}
        total_cost: int | Fraction = 0
        while queue:
            _bound, cost, minus_votes, i = heapq.heappop(queue)
            rho = self._rho(i, counts[i], class_money, state.rank)
            if rho is None:
                counts[i] = None  # its supporters can never afford it again
                continue
            entry = (rho, cost, minus_votes, i)
            if queue and entry > queue[0]:
                heapq.heappush(queue, entry)
                continue
            winners.append(i)
            total_cost += cost
            payments[i] = self._charge(i, rho * self.scale[i], counts, state)
        return MesRun(budget, winners, payments, state.group_class, class_money, total_cost)

    def _charge(self, w: int, price: Fraction, counts: list, state: _State) -> dict:
        """Make w's supporters pay `price` per unit of utility (or all they hold) and move them to their new
        money classes; returns a summary of the payments."""
        width, values = self.width, self.utility_values
        class_money, class_of_money = state.class_money, state.class_of_money
        move: dict[int, int] = {}
        created = []
        largest = Fraction(0)
        paid_all = 0
        prices = [price * u for u in values]
        for key, k in counts[w].items():
            c, n = divmod(key, width)
            held = class_money[c]
            pay = min(held, prices[n])
            if pay == held:
                paid_all += k
            largest = max(largest, pay)
            left = held - pay
            new = class_of_money.get(left)
            if new is None:
                new = class_of_money[left] = len(class_money)
                class_money.append(left)
                created.append(new)
            move[key] = new
        if created:
            for c in created:
                bisect.insort(state.order, c, key=class_money.__getitem__)
            state.rank.extend([0] * len(created))
            for position, c in enumerate(state.order):
                state.rank[c] = position
        counts[w] = None
        group_class, group_count, group_items = state.group_class, self.group_count, self.group_items
        if width == 1:
            # The common case (approval ballots), kept apart because it is the innermost loop of add1.
            for g, _n in self.supporters[w]:
                old = group_class[g]
                new = move[old]
                if new == old:
                    continue
                group_class[g] = new
                k = group_count[g]
                for q, _nq in group_items[g]:
                    table = counts[q]
                    if table is not None:
                        remaining = table[old] - k
                        if remaining:
                            table[old] = remaining
                        else:
                            del table[old]
                        table[new] = table.get(new, 0) + k
        else:
            for g, n in self.supporters[w]:
                old = group_class[g]
                new = move[old * width + n]
                if new == old:
                    continue
                group_class[g] = new
                k = group_count[g]
                old_base, new_base = old * width, new * width
                for q, nq in group_items[g]:
                    table = counts[q]
                    if table is None:
                        continue
                    key = old_base + nq
                    remaining = table[key] - k
                    if remaining:
                        table[key] = remaining
                    else:
                        del table[key]
                    key = new_base + nq
                    table[key] = table.get(key, 0) + k
        return {
            "total": money(self.cost[w]),
            "supporters": self.supporter_count[w],
            "max_per_voter": money(largest),
            "paid_all": paid_all,
        }

    def outcome(self, run: MesRun, rule: str, details: dict | None = None) -> Outcome:
        """The Outcome of a run with an explanation for every project."""
        held: dict[int, dict[int, int]] = {i: {} for i in self.candidates if i not in run.payments}
        for g, items in enumerate(self.group_items):
            c = run.group_class[g]
            for i, _n in items:
                table = held.get(i)
                if table is not None:
                    table[c] = table.get(c, 0) + self.group_count[g]
        step = {i: n for n, i in enumerate(run.winners, start=1)}
        explanations = {}
        for i, pid in enumerate(self.ids):
            if i in step:
                explanations[pid] = funded(pid, step[i], payments=run.payments[i])
            elif i in held:
                amount = sum(run.class_money[c] * k for c, k in held[i].items())
                explanations[pid] = not_funded(
                    pid, "supporters_short", held=money(amount), needed=money(self.cost[i])
                )
            elif self.election.projects[pid].cost == SENTINEL:
                explanations[pid] = not_funded(pid, "sentinel")
            elif self.supporter_count[i] == 0:
                explanations[pid] = not_funded(pid, "no_supporters")
            else:
                explanations[pid] = not_funded(pid, "zero_cost")
        info = {"per_voter": money(run.budget / self.voters) if self.voters else money(0)}
        info.update(details or {})
        return Outcome(
            rule=rule, selected=[self.ids[i] for i in run.winners], explanations=explanations, details=info
        )


def equal_shares(election: Election, tally: Tally, *, rule: str = "equalshares") -> Outcome:
    """Plain MES at the file's budget, without completion."""
    mes = EqualShares(election, tally)
    return mes.outcome(mes.run(election.budget), rule)


def add1(mes: EqualShares, budget: Decimal) -> tuple[MesRun, dict]:
    """The add1 completion: from b = floor(B/n)·n, rerun MES with b + n (one more unit per voter) while its
    total cost stays <= B and keep the last accepted run. No stop when the outcome becomes exhaustive; the
    loop ends when every fundable project is funded, and when all of them fit in B at once the budget jumps
    to one at which any supporter alone can pay any project (the loop could only end there)."""
    n = mes.voters
    if n == 0 or not mes.candidates:
        return mes.run(budget), {"add1_steps": 0}
    per_voter = Fraction(budget) // n
    run = mes.run(per_voter * n)
    steps = 0
    everything = len(mes.candidates)
    if len(run.winners) < everything and sum(mes.cost[i] for i in mes.candidates) <= budget:
        largest = max(mes.cost[i] for i in mes.candidates)
        return mes.run(max(per_voter, Fraction(largest)) * n), {"add1_steps": 0, "everything_fits": True}
    while len(run.winners) < everything:
        trial = mes.run((per_voter + 1) * n)
        if trial.total_cost > budget:
            break
        per_voter += 1
        run = trial
        steps += 1
    return run, {"add1_steps": steps}


def equal_shares_add1(election: Election, tally: Tally, *, rule: str = "equalshares/add1") -> Outcome:
    """MES with the add1 completion."""
    mes = EqualShares(election, tally)
    run, details = add1(mes, election.budget)
    return mes.outcome(run, rule, details)


def _approved(election: Election) -> Iterable[tuple[frozenset[str], int]]:
    """Each ballot group's approved projects (points > 0 for point ballots) with its count."""
    for ids, points, count in election.ballots:
        if points is None:
            yield frozenset(ids), count
        else:
            yield frozenset(pid for pid, value in zip(ids, points, strict=True) if value > 0), count


def compare_with_greedy(election: Election, tally: Tally, outcome: Outcome) -> Outcome:
    """The comparison step: count, per voter, approved winners under `outcome` and under utilitarian greedy
    (ranking key, skipping, ties in file order, no threshold); switch to greedy only if strictly more voters
    prefer it."""
    other = greedy(election, tally, use_threshold=False)
    mine, theirs = set(outcome.selected), set(other.selected)
    prefer_mine = prefer_greedy = 0
    for approved, count in _approved(election):
        ours, greedy_count = len(approved & mine), len(approved & theirs)
        if ours > greedy_count:
            prefer_mine += count
        elif greedy_count > ours:
            prefer_greedy += count
    switch = prefer_greedy > prefer_mine
    comparison = {"prefer_equal_shares": prefer_mine, "prefer_greedy": prefer_greedy}
    comparison["chosen"] = "greedy" if switch else "equal_shares"
    chosen = other if switch else outcome
    details = {**chosen.details, "comparison": comparison}
    return Outcome(outcome.rule, chosen.selected, chosen.explanations, details)
