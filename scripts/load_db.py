"""The database side of scripts/load, run by it in a process of its own with the production environment.

    python scripts/load_db.py accounts  < [{"username", "role", "ward", "password"}, ...]   -> {"ok": true}
    python scripts/load_db.py clone     < [[COOKIES, COUNT], ...]   -> {"keys": [[...], ...], "session_cookie", ...}
    python scripts/load_db.py saved-after PK                        -> {"pks": [...], "max_pk": ...}

`accounts` runs the app's own `add_user` command for each account (the password on its standard input, as hospital
IT gives it). `clone` copies each signed-in session (made by a real sign-in through /accounts/login/; COOKIES are
that browser's cookies) into COUNT new sessions of the same user, through Django's session engine: what COUNT
sign-ins from COUNT browsers would leave, without COUNT password hashes at production strength. `saved-after` lists
the saved assessments with a larger id.

Only Django, the app registry (the model is found by its name) and the app's management commands (by their names)
are used, never an app module by its path: the app's modules may move between folders.
"""

from __future__ import annotations

import io
import json
import sys
from importlib import import_module


def main() -> None:
    import django

    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command

    command, *args = sys.argv[1:]
    if command == "accounts":
        # The app's own command, as hospital IT runs it, with each password on its standard input.
        for account in json.load(sys.stdin):
            terminal, sys.stdin = sys.stdin, io.StringIO(account["password"] + "\n")
            try:
                call_command("add_user", account["username"], role=account["role"], ward=account["ward"],
                             stdout=io.StringIO())  # fmt: skip
            finally:
                sys.stdin = terminal
        print(json.dumps({"ok": True}))
    elif command == "clone":
        store_class = import_module(settings.SESSION_ENGINE).SessionStore
        all_keys = []
        # Each browser's cookies after its sign-in (the session cookie found by the name the settings give it).
        for cookies, count in json.load(sys.stdin):
            key = cookies.get(settings.SESSION_COOKIE_NAME, "")
            data = store_class(session_key=key).load()
            if not data:
                raise SystemExit(f"load_db: no session {key[:6]}... to clone")
            keys = []
            for _ in range(count):
                store = store_class()
                store.update(data)
                store.create()
                keys.append(store.session_key)
            all_keys.append(keys)
        print(json.dumps({"keys": all_keys, "session_cookie": settings.SESSION_COOKIE_NAME,
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
