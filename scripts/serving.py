"""What scripts/bench and scripts/load share: the production setup under gunicorn, and the app seen over HTTP.

The scripts drive the app over HTTP only (and import nothing of it but `assessments.clinical`): its modules may move
between folders, its URLs and its pages are what a hospital uses. The bedside form's fields are read from the page
itself (`form_fields`), as a browser would submit them.
"""

from __future__ import annotations

import gzip
import json
import os
import secrets
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
GOLDEN_CASES = SHARED / "clinical" / "cases"
PYTHON = sys.executable
# The reverse proxy's header: without it SECURE_SSL_REDIRECT answers 301 and a run would measure redirects.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
# Golden case V1 (grade 1, adult, tacrolimus): the request bench times and the example every tool checks first.
GOLDEN = "V1_adult_allo_d10_tacrolimus_mucositis_grade1"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def golden_case(name: str = GOLDEN) -> dict[str, Any]:
    return json.loads((GOLDEN_CASES / f"{name}.json").read_text())


def demo_case_files(root: Path = ROOT) -> list[Path]:
    """The app's demo cases (the bedside page's examples), wherever the app keeps them: `assessments/demo_cases/`
    today, a feature folder's `examples/` after the move of shared/design/LAYOUT.md. A demo case is an object with
    a name and a contract input (other `examples/` folders, such as FHIR's, hold other things)."""
    found = []
    for path in sorted(root.glob("assessments/**/*.json")):
        if path.parent.name in ("demo_cases", "examples"):
            case = json.loads(path.read_text())
            if isinstance(case, dict) and "name" in case and isinstance(case.get("input"), dict):
                found.append(path)
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(workdir: Path) -> dict[str, str]:
    """The production settings, with the files (SQLite database, collected static) in the temporary directory.

    STATIC_ROOT is not read from the environment, so a two-line settings module in the temporary directory
    imports the real settings and moves STATIC_ROOT only.
    """
    (workdir / "bench_settings.py").write_text(
        textwrap.dedent(f"""\
            from hypomag_site.settings import *  # noqa: F403
            STATIC_ROOT = {str(workdir / "static")!r}
        """)
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "HYPOMAG_", "PG"))}
    env.update(
        DJANGO_SETTINGS_MODULE="bench_settings",
        PYTHONPATH=os.pathsep.join([str(workdir), str(ROOT)]),
        DJANGO_DEBUG="False",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(45),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_BEHIND_PROXY="true",
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        # Access logs of a few hundred thousand requests would measure the terminal, not the app.
        DJANGO_LOG_LEVEL="WARNING",
    )
    return env


def manage(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, input=stdin, text=True
    )


def start_gunicorn(env: dict[str, str], port: int, logfile: Path, *, threads: int = 1, workers: int = 2):
    """gunicorn on 127.0.0.1: `workers` sync workers, or gthread workers when `threads` > 1."""
    command = [
        PYTHON, "-m", "gunicorn", "hypomag_site.wsgi:application",
        "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
    ]  # fmt: skip
    if threads > 1:
        command += ["--threads", str(threads), "--timeout", "30"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=logfile.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}:\n{logfile.read_text()}")
        try:
            if fetch(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop(server)
    raise SystemExit(f"gunicorn did not answer /healthz within 30 s:\n{logfile.read_text()}")


def stop(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def fetch(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, timeout: float = 10
) -> tuple[int, Any, bytes]:
    """Status, headers and the body exactly as sent (not decompressed); no redirect is followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    request = urllib.request.Request(url, data=data, headers={**PROXY_HEADERS, **(headers or {})})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except HTTPError as error:
        return error.code, error.headers, error.read()


def decoded(body: bytes, headers: Any) -> bytes:
    encoding = headers.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        import brotli  # WhiteNoise only serves .br when Brotli is installed, so it is importable then.

        return brotli.decompress(body)
    return body


def set_cookies(headers: Any) -> dict[str, str]:
    cookies = {}
    for cookie in headers.get_all("Set-Cookie") or []:
        name, _, value = cookie.split(";", 1)[0].partition("=")
        cookies[name.strip()] = value
    return cookies


# --- A form, as a browser submits it -------------------------------------------------------------------------------


class _Forms(HTMLParser):
    """The successful controls of every form of a page (HTML's form submission algorithm, the parts a plain page
    uses).

    A control belongs to the form it sits in, or to the one its `form` attribute names (the save panel's fields do).
    Checkboxes and radios count when checked; a single select without a selected option sends its first option;
    disabled controls and buttons send nothing.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []  # {"id", "pairs"} in page order
        self.owned: list[tuple[str, str, str]] = []  # (form id, name, value) of controls with a form attribute
        self._form: dict[str, Any] | None = None
        self._select: dict[str, Any] | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: dict[str, Any] | None = None

    def _add(self, owner: str | None, name: str, value: str) -> None:
        if owner is not None:
            self.owned.append((owner, name, value))
        elif self._form is not None:
            self._form["pairs"].append((name, value))

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attr_list)
        if tag == "form":
            self._form = {"id": attrs.get("id"), "pairs": []}
            self.forms.append(self._form)
            return
        if tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "text": "", "selected": "selected" in attrs}
            self._select["options"].append(self._option)
            return
        name = attrs.get("name")
        if not name or "disabled" in attrs:
            return
        owner = attrs.get("form")
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._add(owner, name, attrs.get("value") or ("on" if kind in ("checkbox", "radio") else ""))
        elif tag == "select":
            self._select = {"name": name, "owner": owner, "multiple": "multiple" in attrs, "options": []}
        elif tag == "textarea":
            self._textarea = {"name": name, "owner": owner, "text": ""}

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["text"] += data
        elif self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea["text"]
            self._add(self._textarea["owner"], self._textarea["name"], text[1:] if text.startswith("\n") else text)
            self._textarea = None
        elif tag == "select" and self._select is not None:
            options = self._select["options"]
            chosen = [option for option in options if option["selected"]]
            if not chosen and options and not self._select["multiple"]:
                chosen = options[:1]
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"].strip()
                self._add(self._select["owner"], self._select["name"], value)
            self._select = None
            self._option = None


def form_fields(html: str, form_id: str | None = None, *, having: str | None = None) -> list[tuple[str, str]]:
    """The name/value pairs a browser would post for one form of the page: the one with this id, or the first one
    with a field named `having`. SystemExit if the page has no such form."""
    parser = _Forms()
    parser.feed(html)
    parser.close()
    for form in parser.forms:
        pairs = form["pairs"] + [(name, value) for owner, name, value in parser.owned if owner == form["id"]]
        if (form_id is not None and form["id"] == form_id) or (
            having is not None and any(k == having for k, _ in pairs)
        ):
            return pairs
    raise SystemExit(f"no form {'#' + form_id if form_id else 'with a field ' + repr(having)} in the page")


def with_field(pairs: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    """The pairs with `name` set to this one value (replaced, or added if the form had no such field)."""
    return [*((key, old) for key, old in pairs if key != name), (name, value)]
