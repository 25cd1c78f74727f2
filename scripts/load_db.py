"""The database side of scripts/load, run by it in a process of its own with the production environment.

    python scripts/load_db.py clone COOKIES_JSON COUNT   -> {"keys": [...], "session_cookie": ..., "csrf_cookie": ...}
    python scripts/load_db.py saved-after PK             -> {"pks": [...], "max_pk": ...}  (saved assessments, pk > PK)

`clone` copies a signed-in session (made by a real sign-in through /accounts/login/) into COUNT new sessions of the
same user, through Django's session engine: what COUNT sign-ins from COUNT browsers would leave, without COUNT
password hashes at production strength. `saved-after` lists the saved assessments the run added.

Only Django and the app registry are imported (the model is found by its name), never an app module by its path:
the app's modules may move between folders.
"""

from __future__ import annotations

import json
import sys
from importlib import import_module


def main() -> None:
    import django

    django.setup()
    from django.apps import apps
    from django.conf import settings

    command, *args = sys.argv[1:]
    if command == "clone":
        # The browser's cookies after its sign-in: the session cookie is found by the name the settings give it.
        key, count = json.loads(args[0]).get(settings.SESSION_COOKIE_NAME, ""), int(args[1])
        store_class = import_module(settings.SESSION_ENGINE).SessionStore
        data = store_class(session_key=key).load()
        if not data:
            raise SystemExit(f"load_db: no session {key[:6]}... to clone")
        keys = []
        for _ in range(count):
            store = store_class()
            store.update(data)
            store.create()
            keys.append(store.session_key)
        print(json.dumps({"keys": keys, "session_cookie": settings.SESSION_COOKIE_NAME,
                          "csrf_cookie": settings.CSRF_COOKIE_NAME}))  # fmt: skip
    elif command == "saved-after":
        models = [model for model in apps.get_models() if model.__name__ == "SavedAssessment"]
        if len(models) != 1:
            raise SystemExit(f"load_db: {len(models)} models named SavedAssessment")
        pks = sorted(models[0].objects.filter(pk__gt=int(args[0])).values_list("pk", flat=True))
        max_pk = models[0].objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        print(json.dumps({"pks": pks, "max_pk": max_pk}))
    else:
        raise SystemExit(f"load_db: unknown command {command!r}")


if __name__ == "__main__":
    main()
