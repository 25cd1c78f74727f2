"""Demo users and a demo ward for `make run`; only with HYPOMAG_DEMO=1 (refused in production by settings).

Each start gives the demo users new random passwords, printed once here, so that no known password exists.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from assessments.models import Patient, StaffProfile, Ward
from assessments.records.demo import demo_records_create

DEMO_WARD = "Ward 7 (transplant)"
DEMO_USERS = ("clinician", "pharmacist", "trainee")
# Invented patients with no assessment yet: a newcomer saves the first one (records/demo.py adds patients with plans
# in every state: amended, incomplete, emergency, declined, saved under 2026.1, saved by the pharmacist).
DEMO_PATIENTS = (
    ("DEMO-0001", "AB bed 3", "allogeneic", 10),
    ("DEMO-0002", "CD bed 5", "autologous", 6),
)


class Command(BaseCommand):
    help = "Create the demo ward, patients and users (clinician, pharmacist, trainee) when HYPOMAG_DEMO=1."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        if not settings.HYPOMAG_DEMO:
            raise CommandError("Demo users are created only with HYPOMAG_DEMO=1 (make run sets it).")
        ward, _ = Ward.objects.get_or_create(name=DEMO_WARD)
        lines = []
        for name in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=name)
            password = secrets.token_urlsafe(9)
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=name))
            StaffProfile.objects.update_or_create(user=user, defaults={"ward": ward})
            lines.append(f"  {name:<11} {password}")
        creator = User.objects.get(username="clinician")
        today = timezone.localdate()
        for hospital_id, label, kind, day in DEMO_PATIENTS:
            Patient.objects.get_or_create(
                hospital_id=hospital_id,
                defaults={
                    "label": label,
                    "transplant_type": kind,
                    "transplant_date": today - dt.timedelta(days=day),
                    "ward": ward,
                    "created_by": creator,
                },
            )
        if demo_records_create(ward=ward, clinician=creator, pharmacist=User.objects.get(username="pharmacist")):
            self.stdout.write("Demo records created: plans amended, incomplete, declined, superseded, under 2026.1.")
        self.stdout.write("Demo users (new passwords at every start; sign in at /accounts/login/):")
        self.stdout.write("\n".join(lines))
