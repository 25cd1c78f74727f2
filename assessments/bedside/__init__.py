"""The bedside page: one patient's input, the plan, the printed handover; the demo examples it can load."""
