"""Someone's own SDK session against the local moto server, as they would use it outside
Slack (the demo's observer, a data scientist's script in the tests): their role assumed with
moto's dummy credentials, RoleSessionName and SourceIdentity set to who they are."""

from __future__ import annotations

import boto3


def assumed_session(endpoint_url: str, region: str, role_arn: str, person: str) -> boto3.Session:
    sts = boto3.client(
        "sts",
        region_name=region,
        endpoint_url=endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's dummy credentials
    )
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName=person, SourceIdentity=person)
    return boto3.Session(
        aws_access_key_id=creds["Credentials"]["AccessKeyId"],
        aws_secret_access_key=creds["Credentials"]["SecretAccessKey"],
        aws_session_token=creds["Credentials"]["SessionToken"],
        region_name=region,
    )
