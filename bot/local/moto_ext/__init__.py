"""Extend moto 5.2 with the AWS behaviour modelcard-bot relies on (tests, bench and demo only).

The one documented local-stack module for moto's gaps: where moto lacks an AWS behaviour the
bot calls, it is added here, as the real API behaves. Production code never imports it. Call
:func:`install` before ``mock_aws()`` starts or before a moto server app is built;
``python -m bot.local.moto_ext --host H --port N`` runs a moto server with the extensions
(plus ``GET /_shim/calls``, ``POST /_shim/calls/clear`` and ``POST /_shim/fail``
{action, count, code, status} for fault injection). One module per service part: ``sts``,
``ram_model`` / ``ram_shares`` / ``ram_permissions`` / ``ram_invitations``,
``sagemaker_cards`` / ``sagemaker_export``, ``cloudformation``; ``record`` (calls, faults),
``switches``, ``install``, ``server``.

Gaps filled (behaving as the real APIs do, shapes from botocore's service models):

STS
- ``AssumeRole`` accepts ``SourceIdentity`` (validated: 2-64 chars of ``[\\w+=,.@-]``) and
  ``Tags``, stores them on the assumed role, returns ``SourceIdentity`` in the response. Along a
  role chain the source identity is inherited and cannot be changed (``AccessDenied``).

SageMaker
- ``DescribeModelCard``, ``UpdateModelCard``, ``ListModelCardVersions`` and
  ``CreateModelCardExportJob`` accept the card ARN as ``ModelCardName`` and resolve the card in
  the owning account. Another account may use it only through an ACTIVE RAM share owned by the
  card's account in which the card and the caller's account are both ``ASSOCIATED`` and whose
  ``sagemaker:ModelCard`` permission allows the action; otherwise ``AccessDeniedException``.
- ``UpdateModelCard``: ``Content`` and ``ModelCardStatus`` together -> ``ValidationException``;
  a status-only update keeps content and version; a content update creates version N+1 and keeps
  the status; an ``Archived`` card refuses every update (``ValidationException``).
- ``DescribeModelCard`` returns the real ``LastModifiedTime`` (moto returned the creation time).
- ``CreateModelCardExportJob`` / ``DescribeModelCardExportJob`` / ``ListModelCardExportJobs``:
  the job completes at once and writes a small valid PDF (card name, version, status) to
  ``<S3OutputPath>/<card>/<job>/<card>.pdf`` in the bucket's own account; a missing bucket is a
  ``ValidationException``. Job ARN: ``<card ARN>/export-job/<job>`` (a sub-resource of the card,
  stored with it, as the real ARN pattern says).

RAM
- ``sagemaker:ModelCard`` is a shareable resource type (``ListResourceTypes``) with the
  AWS-managed permissions ``AWSRAMPermissionSageMakerModelCards`` (default: describe, list
  versions, update) and ``AWSRAMPermissionSageMakerModelCardsAllowExport`` (+ export jobs).
- ``CreatePermission`` / ``GetPermission`` (customer-managed, ``policyTemplate`` actions), and
  ``ListPermissions`` accepts the real ``permissionType`` values ``AWS_MANAGED`` /
  ``CUSTOMER_MANAGED``.
- ``CreateResourceShare`` honours ``permissionArns`` (default permission per resource type
  otherwise), ``tags``, ``allowExternalPrincipals`` and ``clientToken``.
- ``GetResourceShares`` with ``resourceOwner`` SELF / OTHER-ACCOUNTS and filters ``name``,
  ``resourceShareArns``, ``resourceShareStatus``, ``tagFilters``, ``permissionArn``; pagination.
- ``AssociateResourceShare`` / ``DisassociateResourceShare`` (idempotent, ``clientToken``),
  ``GetResourceShareAssociations`` reflecting them, ``ListResourceSharePermissions``,
  ``ListResources``.
- Invitations: a bare account-id principal outside the owner's organization (or when
  ``EnableSharingWithAwsOrganization`` was not called) gets a PENDING invitation and its
  association stays ``ASSOCIATING`` (no access) until the receiver calls
  ``AcceptResourceShareInvitation`` (-> ``ASSOCIATED``); ``RejectResourceShareInvitation``
  -> ``DISASSOCIATED``. ``GetResourceShareInvitations`` lists the invitations received.
- Disassociated entities stay listed with status ``DISASSOCIATED`` (as the real API does for a
  while) and lose access at once.

Switches (off by default, for tests of broken setups; :func:`reset_switches` turns them off)
- :func:`require_existing_roles`: ``AssumeRole`` on a role that does not exist in its account's
  IAM is ``AccessDenied`` (403), as STS answers; off, any role ARN can be assumed.
- :func:`refuse_customer_permissions`: ``CreatePermission`` for those resource types is
  ``OperationNotPermittedException``: RAM does not document which resource types accept a
  customer-managed permission, so the bot's refusal path is tested against this answer.

CloudFormation (what the templates in deploy/cloudformation/ need)
- ``Ref AWS::NoValue`` as a list element removes it (moto kept a ``null``).
- ``AWS::IAM::Role`` inline ``Policies`` are stored as JSON (moto stored the Python repr).
- ``AWS::SQS::QueuePolicy`` sets the ``Policy`` attribute of each queue in ``Queues``.

Every SageMaker, RAM and STS request served is recorded (:func:`calls`) with the account that
served it and the caller's identity, resolved through moto's STS backend.

Modelling choices where the real behaviour is not fully documented: same-account IAM is not
evaluated (the owner account may do anything); only account-id principals get invitations
(IAM role/user and service principals are associated at once); withdrawing a principal also
withdraws its pending invitation; ``allowExternalPrincipals=false`` refuses outsiders with
``OperationNotPermittedException`` only when the owner is in an organization (it "only has meaning"
there); shared resources must exist in, and belong to, the share owner's account
(``UnknownResourceException``); ``clientToken`` is remembered per account, region and operation;
OTHER-ACCOUNTS lists a share once the caller's association is ``ASSOCIATED``.
"""

from bot.local.moto_ext import record
from bot.local.moto_ext.install import install
from bot.local.moto_ext.ram_model import MANAGED_ACTIONS
from bot.local.moto_ext.record import calls, clear_failures, fail_next
from bot.local.moto_ext.sagemaker_callers import clear_cloudtrail, cloudtrail_events
from bot.local.moto_ext.server import main, make_app, serve
from bot.local.moto_ext.switches import (
    refuse_customer_permissions,
    require_existing_roles,
    reset_switches,
    set_iam_identity,
)


def clear_calls() -> None:
    """Forget the call record and the CloudTrail events."""
    record.clear_calls()
    clear_cloudtrail()


__all__ = [
    "MANAGED_ACTIONS",
    "calls",
    "clear_calls",
    "clear_failures",
    "cloudtrail_events",
    "fail_next",
    "install",
    "main",
    "make_app",
    "refuse_customer_permissions",
    "require_existing_roles",
    "reset_switches",
    "serve",
    "set_iam_identity",
]
