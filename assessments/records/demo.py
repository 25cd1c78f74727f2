"""Demo records for `make run` (HYPOMAG_DEMO=1) and for the crawl test: plans in every state a ward meets.

Invented patients on the demo ward, each saved through the services as a clinician would: an amended plan (its first
plan's reminders superseded), incomplete plans (no QTc or calcium; a child without height), an emergency waiting for
review, a declined plan, plans saved under rule set 2026.1 (the engine of commit dbce69e, captured in
`saved_under_2026_1/`) and a plan saved by the pharmacist, which only another pharmacist may review. Times are
relative to now, so that reminders are due and overdue. Created once: nothing is added when the demo records exist.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from assessments import services
from assessments.models import Patient, Ward
from assessments.records.amendment import Amendment
from assessments.selectors import demo_case_get

SAVED_UNDER_2026_1 = Path(__file__).resolve().parent / "saved_under_2026_1"
FIRST = "DEMO-0003"


def saved_under_2026_1(name: str) -> dict[str, Any]:
    """A plan as rule set 2026.1 saved it: {"input", "output", "ruleset", ...}."""
    return json.loads((SAVED_UNDER_2026_1 / f"{name}.json").read_text(encoding="utf-8"))


def _patient(hospital_id: str, label: str, kind: str, day_today: int, ward: Ward, by: User) -> Patient:
    existing = Patient.objects.filter(hospital_id=hospital_id).first()
    if existing is not None:
        return existing
    date = timezone.localdate() - dt.timedelta(days=day_today)
    return services.patient_create(
        user=by, hospital_id=hospital_id, label=label, transplant_type=kind, transplant_date=date, ward=ward
    )


def _input(case: str, patient: Patient, at: dt.datetime, *, drop: tuple[str, ...] = (), **changes: Any) -> dict:
    """A demo case's input as typed for this patient at this time (its transplant as the record says)."""
    data = copy.deepcopy(demo_case_get(name=case).input)
    for path in drop:
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node[key]
        node.pop(last, None)
    for path, value in changes.items():
        *parents, last = path.split("__")
        node = data
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    data["transplant"] = {"type": patient.transplant_type, "day": patient.day_after_transplant(at)}
    return data


def _save(user: User, patient: Patient, data: dict, at: dt.datetime):
    return services.assessment_save(user=user, patient=patient, data=data, sample_time=at)


def demo_records_create(*, ward: Ward, clinician: User, pharmacist: User) -> bool:
    """The demo's patients and plans; False (and nothing written) when they exist already."""
    if Patient.objects.filter(hospital_id=FIRST, assessments__isnull=False).exists():
        return False
    now = timezone.now()
    hours = lambda n: now - dt.timedelta(hours=n)  # noqa: E731 - a sample n hours ago

    # An amended plan: yesterday's grade 1 plan approved, today's grade 2 plan amended to a slower infusion.
    amended = _patient(FIRST, "EF bed 7", "allogeneic", 10, ward, clinician)
    first = _save(
        clinician, amended, _input("V1_adult_allo_d10_tacrolimus_mucositis_grade1", amended, hours(30)), hours(30)
    )
    services.review_submit(user=pharmacist, assessment=first, version=first.version, outcome="approved")
    data = _input(
        "V1_adult_allo_d10_tacrolimus_mucositis_grade1",
        amended,
        hours(4),
        labs__magnesium={"value": 0.45, "unit": "mmol/L"},
    )
    second = _save(clinician, amended, data, hours(4))
    services.review_submit(
        user=pharmacist,
        assessment=second,
        version=second.version,
        outcome="amended",
        amendment=Amendment(route="iv", amount=5, amount_unit="g", volume_ml=500, duration_hours=5),
        cautions_confirmed=True,
        note="Over 5 h: on tacrolimus, and the 3 h infusion was poorly tolerated yesterday.",
    )

    # Incomplete plans, waiting for review: no QTc and no calcium; a child without height (renal function unknown).
    incomplete = _patient("DEMO-0004", "GH bed 9", "autologous", 8, ward, clinician)
    _save(clinician, incomplete, _input("P14_autologous_no_cni", incomplete, hours(2)), hours(2))
    child = _patient("DEMO-0005", "IJ bed 11 (child)", "allogeneic", 14, ward, clinician)
    _save(
        clinician, child, _input("V3_child_allo_d14_pn_cyclosporine_grade1", child, hours(1), drop=("ecg",)), hours(1)
    )

    # An emergency, first in the queue.
    emergency = _patient("DEMO-0006", "KL bed 2", "allogeneic", 12, ward, clinician)
    _save(
        clinician,
        emergency,
        _input("V8_adult_allo_d12_torsades_qtc520_grade2_emergency", emergency, hours(0.3)),
        hours(0.3),
    )

    # A declined plan.
    declined = _patient("DEMO-0007", "MN bed 4", "allogeneic", 28, ward, clinician)
    plan = _save(
        clinician,
        declined,
        _input("V7_adult_allo_d28_aki_cyclosporine_high_liposomal_amb_grade2_renal", declined, hours(26)),
        hours(26),
    )
    services.review_submit(
        user=pharmacist,
        assessment=plan,
        version=plan.version,
        outcome="declined",
        reason_code="renal_function",
        note="Creatinine rising since this morning: renal team first.",
    )

    # Plans saved under rule set 2026.1: shown as 2026.1 said them, never re-rendered with 2026.2's text.
    for hospital_id, label, name, kind in (
        ("DEMO-0008", "OP bed 6", "V1_adult_allo_d10_tacrolimus_mucositis_grade1", "allogeneic"),
        ("DEMO-0009", "QR bed 8", "P14_autologous_no_cni", "autologous"),
    ):
        old = saved_under_2026_1(name)
        at = hours(72)
        day = old["input"]["transplant"]["day"]
        patient = _patient(hospital_id, label, kind, day + 3, ward, clinician)
        data = copy.deepcopy(old["input"])
        data["transplant"]["day"] = patient.day_after_transplant(at)
        services.assessment_restore(user=clinician, patient=patient, data=data, output=old["output"], sample_time=at)

    # A plan the pharmacist saved: another pharmacist reviews it (four eyes).
    own = _patient("DEMO-0010", "ST bed 10", "autologous", 6, ward, clinician)
    _save(pharmacist, own, _input("V5_adult_auto_d6_no_cni_gi_losses_ppi_grade1", own, hours(3)), hours(3))
    return True
