"""`python -m bot doctor`: a preflight of the configured environment that changes nothing."""

from bot.doctor.report import Check, Status
from bot.doctor.runner import run_doctor

__all__ = ["Check", "Status", "run_doctor"]
