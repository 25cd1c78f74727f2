"""Teaching mode (issue 5): a case library run through the same engine as the ward, predict-then-reveal marking,
one-change "what if" variations, and the rule explorer.

Only `attempts.py` touches the database; the other modules are plain Python so that they can be tested alone.
"""
