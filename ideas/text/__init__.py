"""Plain-Python text helpers (grammar, number and date wording) with no Django imports, so that they can be
unit-tested alone and used by templates (ideas/templatetags/kopa_format.py), admin columns and exports alike."""
