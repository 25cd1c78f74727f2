"""Patient records: patients, saved assessments, reminders, the ward list, pharmacist review, the audit log."""
