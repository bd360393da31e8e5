"""Residents' pages of a budget round (served through BudgetRoundPage's routes)."""
