"""The bedside assessment page: the form at `/`, its result, the examples, and the references and about pages.

POSTs go through a client that enforces CSRF, with the token read from the page, as a browser would send it.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.utils.html import escape

from assessments.bedside.form_mapping import input_to_form
from assessments.bedside.forms import AssessmentForm
from assessments.clinical import RULESET_VERSION
from assessments.clinical.references import REFERENCES
from assessments.labels import unit_words
from assessments.selectors import DEMO_CASES_DIR, demo_case_list
from assessments.services import assessment_run

REPO = Path(__file__).resolve().parents[3]
# The shared folder sits beside the repository (Makefile: SHARED := ../shared), in CI's clone as on a laptop.
SHARED_CASES = REPO.parent / "shared" / "clinical" / "cases"

MINIMAL = {
    "age_years": "45",
    "transplant_type": "allogeneic",
    "transplant_day": "10",
    "magnesium_value": "0.52",
    "magnesium_unit": "mmol/L",
}


class FormValues(HTMLParser):
    """What a browser would submit from the page's form: inputs, ticked boxes and selected options."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.values.setdefault(name, []).append(a.get("value") or "on")
            elif a.get("type") != "submit":
                self.values.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values.setdefault(self._select, []).append(a.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def form_values(html: str) -> dict[str, list[str]]:
    parser = FormValues()
    parser.feed(html)
    return parser.values


@pytest.fixture
def browser(client) -> Client:
    """Not signed in, CSRF enforced (tests/conftest.py)."""
    return client


def post(browser: Client, data: dict, **headers: str):
    """POST like the page does: with the CSRF token of the form on the page."""
    return browser.submit("/", data, headers=headers)


def test_it_renders_the_empty_form(browser):
    response = browser.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    for label in ("Age (years)", "Transplant type", "Day after transplant", "Serum magnesium", "Assess"):
        assert label in html
    # Every visible control has a label pointing at it: screen readers and clicks on the text need it.
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html)
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    assert ids and set(ids) <= labelled, set(ids) - labelled
    # Nothing is assessed before anything was entered.
    assert response.context["output"] is None


def test_it_offers_the_site_units_first(settings):
    settings.HYPOMAG_DEFAULT_UNITS = "conventional"

    form = AssessmentForm()

    assert form["magnesium_unit"].initial == "mg/dL"
    assert form["creatinine_unit"].initial == "mg/dL"
    assert form["albumin_unit"].initial == "g/dL"


def test_it_posts_without_javascript(browser):
    response = post(browser, MINIMAL)

    # The whole page comes back, form and result, so the Assess button works with JavaScript off.
    assert response.status_code == 200
    html = response.content.decode()
    assert "<form" in html
    assert "CTCAE grade 1" in html
    assert 'value="0.52"' in html


def test_it_returns_only_the_partial_for_htmx(browser):
    response = post(browser, MINIMAL, HX_Request="true")

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="result"')
    assert "<form" not in html
    assert "CTCAE grade 1" in html
    # The fragment and the page differ for one URL: caches must key on the header.
    assert "HX-Request" in response["Vary"]


def test_it_sends_no_store(browser):
    for response in (browser.get("/"), post(browser, MINIMAL), post(browser, MINIMAL, HX_Request="true")):
        # Patient data must not stay in a shared ward PC's browser cache.
        assert "no-store" in response["Cache-Control"]


def test_it_keeps_other_fields_on_bad_input(browser):
    response = post(browser, {**MINIMAL, "magnesium_value": "18", "weight_kg": "70", "qtc_ms": "452"})

    assert response.status_code == 200
    assert response.context["output"] is None
    form = response.context["form"]
    # The engine's range error lands on the magnesium field, in words.
    assert "outside the accepted range" in form.errors["magnesium_value"][0]
    html = response.content.decode()
    assert 'value="18"' in html
    assert 'value="70"' in html
    assert 'value="452"' in html


def test_it_shows_a_non_number_on_the_field(browser):
    response = post(browser, {**MINIMAL, "weight_kg": "seventy"})

    assert response.status_code == 200
    assert "weight_kg" in response.context["form"].errors
    assert 'value="seventy"' in response.content.decode()


def test_it_attaches_a_trough_error_to_the_trough_field(browser):
    data = {**MINIMAL, "immuno1_drug": "tacrolimus", "immuno1_trough": "100", "immuno1_trough_unit": "ng/mL"}

    response = post(browser, data)

    # immunosuppressants.0.trough.value -> the first trough field.
    assert "outside the accepted range" in response.context["form"].errors["immuno1_trough"][0]


def test_an_engine_error_finds_its_field_once_the_form_is_valid():
    # The list-item paths are kept by clean(), not as a side effect of to_input(): no call order to remember.
    data = {**MINIMAL, "immuno1_drug": "", "immuno2_drug": "cyclosporine", "immuno2_trough": "100"}
    form = AssessmentForm({**data, "immuno2_trough_unit": "ng/mL"})
    assert form.is_valid(), form.errors
    form.attach_engine_errors([{"field": "immunosuppressants.0.trough.value", "message": "too high"}])
    assert form.errors["immuno2_trough"] == ["too high"]
    assert form.label_for("immunosuppressants.0.trough") == "Immunosuppressant 2: trough level"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"age_years": "nan", "transplant_day": "1e9", "magnesium_value": "inf"},
        {**MINIMAL, "magnesium_unit": "furlongs", "lower_gi_gvhd_stage": "9", "medications_causes": "nope"},
        {**MINIMAL, "immuno1_trough": "5", "days_foscarnet": "-3", "age_years": "0.01"},
        {**MINIMAL, "age_years": "10"},  # a child without a weight
        {**MINIMAL, "transplant_day": "9" * 400, "weight_kg": "9" * 400},
        {**MINIMAL, "medications_causes": "proton_pump_inhibitor", "days_proton_pump_inhibitor": "9" * 400},
    ],
)
def test_no_input_produces_a_server_error(browser, data):
    response = post(browser, data)

    assert response.status_code == 200
    assert response.context["output"] is None


def test_it_shows_the_unit_check_next_to_mg(browser):
    response = post(browser, {**MINIMAL, "magnesium_value": "1.5"})

    html = response.content.decode()
    slot = html.split('id="mg-unit-check"', 1)[1].split("</fieldset>", 1)[0]
    # Beside the field where the unit was chosen, not only in the result.
    assert "Check the unit" in slot
    # In the result, once: a value that may be in another unit is the caution of "What to do now".
    action = html.split('aria-label="What to do now"', 1)[1].split("</section>", 1)[0]
    assert "Unit check: Mg 1.5 mmol/L (above the ULN)" in action
    assert html.count("Unit check: Mg 1.5 mmol/L (above the ULN)") == 1


def test_it_updates_the_unit_check_out_of_band_for_htmx(browser):
    response = post(browser, {**MINIMAL, "magnesium_value": "1.5"}, HX_Request="true")

    assert '<div id="mg-unit-check" hx-swap-oob="true">' in response.content.decode()


def test_the_page_loads_htmx_from_our_own_static_files(browser):
    html = browser.get("/").content.decode()

    assert re.search(r'<script src="/static/django_htmx/htmx-2\.min\.js', html)
    assert 'hx-history="false"' in html
    assert 'hx-post="/"' in html


def test_the_clear_link_empties_the_form(browser):
    html = browser.get("/?example=V1_adult_allo_d10_tacrolimus_mucositis_grade1").content.decode()
    assert re.search(r'<a class="btn[^"]*" href="/">Clear</a>', html)

    cleared = browser.get("/")

    assert not cleared.context["form"].is_bound


def test_an_unknown_example_gives_the_empty_form(browser):
    response = browser.get("/?example=nothing_like_this")

    assert response.status_code == 200
    assert not response.context["form"].is_bound


CASES = {case.name: case for case in demo_case_list()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_golden_case_renders_through_the_form(browser, name):
    case = CASES[name]
    page = browser.get("/", {"example": name})
    # Submit exactly what the pre-filled page holds, as the Assess button would.
    submitted = form_values(page.content.decode())

    response = browser.post("/", submitted)

    assert response.status_code == 200
    expected = assessment_run(data=case.input).output
    output = response.context["output"]
    assert output is not None, response.context["form"].errors
    assert output["plan"]["route"] == expected["plan"]["route"]
    assert output["severity"] == expected["severity"]
    html = response.content.decode()
    assert f"CTCAE grade {expected['severity']['ctcae_grade']}" in html

    def shown(text: str) -> bool:
        # The engine's sentences, their ASCII units written as a clinician writes them (umol/L -> µmol/L).
        return escape(unit_words(text)) in html

    steps = {step["id"]: step for step in expected["plan"]["steps"]}
    for item in expected["plan"]["steps"] + expected["reminders"]:
        assert shown(item["text"]), item["id"]
    for item in expected["warnings"]:
        # Each caution once: a warning that a plan step repeats word for word is shown as the step.
        twin = steps.get(item["id"])
        assert shown(item["text"]) or (twin and shown(twin["text"])), item["id"]
    for cause in expected["causes"]:
        assert escape(cause["label"]) in html


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_form_represents_every_golden_case_exactly(name):
    case = CASES[name]
    form = AssessmentForm(input_to_form(case.input))
    assert form.is_valid(), form.errors

    output = assessment_run(data=form.to_input()).output

    # Ticked boxes come back in the form's order, not the case's; the engine's answer must not change.
    assert output == assessment_run(data=case.input).output


def test_the_demo_cases_match_the_shared_golden_cases():
    assert SHARED_CASES.is_dir(), f"the shared cases are expected beside the repository, at {SHARED_CASES}"
    shared = {}
    for path in SHARED_CASES.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not data.get("invalid_input"):
            shared[path.name] = data
    copies = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in DEMO_CASES_DIR.glob("*.json")}

    assert sorted(copies) == sorted(shared)
    for filename, copy in copies.items():
        assert copy["input"] == shared[filename]["input"], filename
        assert copy["name"] == shared[filename]["name"]


# XML namespace names look like addresses but are never fetched.
NOT_A_HOST = {"http://www.w3.org/2000/svg"}


def test_no_template_references_another_host():
    offenders = []
    for folder in (REPO / "templates", REPO / "assessments" / "templates", REPO / "static"):
        for path in folder.rglob("*") if folder.is_dir() else ():
            # Licences name their authors' sites; source maps are read only by developer tools.
            if not path.is_file() or path.name.startswith("LICENSE") or path.suffix == ".map":
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix == ".css":
                text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # banners credit the project's site
            for url in re.findall(r"https?://[^\s\"'()<>]+", text):
                if url not in NOT_A_HOST:
                    offenders.append(f"{path.relative_to(REPO)}: {url}")
    assert offenders == []


def test_references_page_lists_every_source(browser):
    response = browser.get("/references/")

    assert response.status_code == 200
    html = response.content.decode()
    for ref in REFERENCES.values():
        # The id is the anchor that every result links to.
        assert f'id="{ref.id}"' in html
        assert escape(ref.title) in html
        if ref.link:
            assert f'href="{escape(ref.link)}"' in html


def test_result_links_point_at_the_references_page(browser):
    html = post(browser, MINIMAL).content.decode()

    ids = set(re.findall(r'href="/references/#(S\d+)"', html))
    assert ids and ids <= set(REFERENCES)


def test_about_page_states_the_ruleset(browser):
    response = browser.get("/about/")

    assert response.status_code == 200
    html = response.content.decode()
    assert RULESET_VERSION in html
    assert "not a substitute" in html
    assert "local emergency protocol" in html


def test_the_page_carries_a_content_security_policy(browser):
    response = browser.get("/")

    # Only our own scripts and styles: an injected <script> or style="" would not run.
    policy = response.headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]


def test_no_template_has_inline_scripts_or_styles():
    # The policy forbids them: they would be silently blocked in the browser.
    for template in (REPO / "templates").rglob("*.html"):
        html = template.read_text()
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), template
        assert not re.search(r"<style\b|\sstyle=", html), template


def test_htmx_does_not_inject_its_inline_indicator_style(browser):
    html = browser.get("/").content.decode()

    assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false}'>""" in html


@pytest.mark.django_db
def test_an_unknown_example_says_so_instead_of_opening_an_empty_form_silently(client):
    # A second tester opened /?example=V1 (a shortened name): an empty form, no word.
    page = client.get("/?example=V1").content.decode()
    assert "There is no example of that name: choose one under “Load an example”." in page
    assert "There is no example" not in client.get("/").content.decode()
