"""After sign-in each role lands on its work, unless a page was asked for (which always wins, so that a sign-in
from the bedside page returns to it)."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


@pytest.mark.parametrize(
    ("role", "lands_on"),
    [("pharmacist", "/review/"), ("clinician", "/"), ("trainee", "/teaching/"), ("admin", "/audit/")],
)
def test_each_role_lands_on_its_work(client_as, make_user, role, lands_on):
    make_user(f"{role}1", role=role)
    response = client_as("anonymous").submit(LOGIN, {"username": f"{role}1", "password": PASSWORD}, page=LOGIN)
    assert response.status_code == 302 and response["Location"] == lands_on


def test_a_page_asked_for_wins_over_the_landing_page(client_as, pharmacist, patient):
    next_url = f"/patients/{patient.pk}/"
    response = client_as("anonymous").submit(
        LOGIN, {"username": "pharmacist", "password": PASSWORD, "next": next_url}, page=f"{LOGIN}?next={next_url}"
    )
    assert response["Location"] == next_url


def test_a_user_with_no_role_lands_on_the_bedside_page(client_as, outsider):
    response = client_as("anonymous").submit(LOGIN, {"username": "outsider", "password": PASSWORD}, page=LOGIN)
    assert response["Location"] == "/"


def test_the_bedside_pages_sign_in_is_a_button_of_its_form_and_elsewhere_a_link(client_as):
    client = client_as("anonymous")
    bedside = client.get("/").content.decode()
    assert 'form="assessment-form" formaction="/accounts/login/keep/"' in bedside
    assert f'<a href="{LOGIN}">Sign in</a>' in client.get("/about/").content.decode()
