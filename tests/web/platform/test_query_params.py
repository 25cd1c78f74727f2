"""Query parameters as typed into the address bar or left in an old bookmark: a page may ignore them or say what is
wrong, never answer 500. An independent tester: `/audit/?user=99999999999999999999999` was a 500 (an integer too
large for the database)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

ODD = ["99999999999999999999999", str(2**63), "-1", "0", "abc", "1e3", "1.5", " 7", "١", ""]
# Each page with the parameters its forms or views read, and a persona allowed to open it.
PAGES = {
    "/audit/": ("admin", ("patient", "user")),
    "/patients/": ("clinician", ("ward",)),
    "/ward/": ("clinician", ("ward",)),
    "/review/": ("pharmacist", ("page",)),
    "/": ("clinician", ("patient", "from", "completes", "example")),
    "/teaching/": ("trainee", ("population", "difficulty", "topic")),
}


@pytest.mark.parametrize("url", PAGES)
def test_odd_query_parameters_never_answer_5xx(client_as, url):
    persona, names = PAGES[url]
    client = client_as(persona)
    for name in names:
        for value in ODD:
            response = client.get(url, {name: value})
            assert response.status_code < 500, (url, name, value, response.status_code)
