"""Demo budget think-tank workshop with its outcomes, loaded by ideas/demo.py. Idempotent."""


def load_workshops_demo(budget_round):
    """A workshop on the open round: registrations, attendance, notes, an idea entered there, codes handed out."""
