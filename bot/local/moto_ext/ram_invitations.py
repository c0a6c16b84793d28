"""RAM invitations received by an account: list, accept, reject."""

from __future__ import annotations

from typing import Any

from moto.core.utils import utcnow
from moto.ram.models import ResourceAccessManagerBackend

from bot.local.moto_ext.ram_model import idempotent
from bot.local.moto_ext.shapes import error, page


def get_resource_share_invitations(
    self: ResourceAccessManagerBackend, **params: Any
) -> dict[str, Any]:
    arns, shares = params.get("resourceShareInvitationArns"), params.get("resourceShareArns")
    found = [
        i.describe()
        for i in self.invitations
        if (not arns or i.arn in arns) and (not shares or i.share.arn in shares)
    ]
    return page(found, params, "resourceShareInvitations")


def answer_invitation(
    self: ResourceAccessManagerBackend, params: dict[str, Any], accept: bool
) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        arn = params.get("resourceShareInvitationArn")
        invitation = next((i for i in self.invitations if i.arn == arn), None)
        if invitation is None:
            raise error(
                "ResourceShareInvitationArnNotFoundException", f"Invitation {arn} not found."
            )
        if invitation.status != "PENDING":
            done = "Accepted" if invitation.status == "ACCEPTED" else "Rejected"
            raise error(
                f"ResourceShareInvitationAlready{done}Exception",
                f"Invitation {arn} is {invitation.status}.",
            )
        invitation.status = "ACCEPTED" if accept else "REJECTED"
        assoc = invitation.share.associations[("PRINCIPAL", self.account_id)]
        assoc.status, assoc.updated = ("ASSOCIATED" if accept else "DISASSOCIATED"), utcnow()
        if not accept:
            invitation.share.principals.remove(self.account_id)
        return {"resourceShareInvitation": invitation.describe()}

    operation = "AcceptResourceShareInvitation" if accept else "RejectResourceShareInvitation"
    return idempotent(self, operation, params, run)
