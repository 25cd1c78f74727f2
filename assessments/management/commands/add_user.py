"""`python manage.py add_user NAME --role ROLE [--ward WARD]`, for hospital IT.

The password is read from standard input (first line), never from the command line, where it would be kept in
the shell history and shown in the process list: `printf '%s\n' "$PASSWORD" | python manage.py add_user ...`.
"""

from __future__ import annotations

import sys

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessments import services
from assessments.roles import Role


class Command(BaseCommand):
    help = "Create a user in one role (clinician, pharmacist, trainee, admin); the password comes from stdin."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[role.value for role in Role])
        parser.add_argument("--ward", help="The ward the user works on (created if new); /ward/ opens on it.")

    def handle(self, *args, username: str, role: str, ward: str | None, **options) -> None:
        if User.objects.filter(username=username).exists():
            raise CommandError(f"User {username!r} already exists.")
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("Give the password on standard input, e.g. printf '%s\\n' \"$PASSWORD\" | ...")
        user = User(username=username)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from None
        # Audited like every write; an administrator works in the Django admin and the audit log.
        services.user_create(username=username, password=password, role=role, ward=ward)
        self.stdout.write(f"Created {username} ({role}{', ' + ward if ward else ''}).")
