"""Teaching mode (issue 5): a case library run through the same engine as the ward, predict-then-reveal marking,
one-change "what if" variations, and the rule explorer.

No module here touches the database (attempts are written by `services.teaching_attempt_create` and read by
`selectors.teaching_attempt_list`): they are plain Python, so that they can be tested alone.
"""
