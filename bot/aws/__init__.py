"""AWS adapters: per-user role sessions, model cards in the central account, RAM shares."""

from bot.aws.cards import CardRecord, CardSummary, CardVersion, ModelCards, TransitionOutcome
from bot.aws.sessions import Actor, RoleSessions
from bot.aws.sharing import StageShare, StageShares

__all__ = [
    "Actor",
    "CardRecord",
    "CardSummary",
    "CardVersion",
    "ModelCards",
    "RoleSessions",
    "StageShare",
    "StageShares",
    "TransitionOutcome",
]
