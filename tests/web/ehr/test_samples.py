"""The sample bundles are named in words on the import page: every file has its title."""

from __future__ import annotations

from assessments.ehr.fhir.samples import SAMPLE_TITLES, sample_list, sample_names


def test_every_sample_file_has_a_title_and_every_title_a_file():
    assert set(SAMPLE_TITLES) == set(sample_names())
    assert [name for name, _ in sample_list()] == list(SAMPLE_TITLES)
    assert all("_" not in title for _, title in sample_list())
