#!/usr/bin/env python3
"""Prepares a moto server for its auth mode (docs/protocols.md §2) and switches it on: an IAM user with an access
key and a policy allowing sts:AssumeRole, role RoleA trusting that user (and allowed to assume RoleB),
role RoleB trusting RoleA's
session "hop". Prints "AKID SECRET" for the user. usage: moto_auth_setup.py MOTO_URL"""
import json
import sys
import urllib.request

import boto3

url = sys.argv[1]
iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id="setup",
                   aws_secret_access_key="setup")
account = "123456789012"  # moto's default account
allow_assume = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]})


def trust(principal):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]})


iam.create_user(UserName="credsh")
key = iam.create_access_key(UserName="credsh")["AccessKey"]
arn = iam.create_policy(PolicyName="assume", PolicyDocument=allow_assume)["Policy"]["Arn"]
iam.attach_user_policy(UserName="credsh", PolicyArn=arn)
iam.create_role(RoleName="RoleA", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{account}:user/credsh"))
iam.attach_role_policy(RoleName="RoleA", PolicyArn=arn)
# moto matches a trust policy principal exactly, so RoleB trusts RoleA's session named "hop".
iam.create_role(RoleName="RoleB", AssumeRolePolicyDocument=trust(f"arn:aws:sts::{account}:assumed-role/RoleA/hop"))
req = urllib.request.Request(url + "/moto-api/reset-auth", data=b"0", method="POST",
                             headers={"Content-Type": "text/plain"})
urllib.request.urlopen(req, timeout=10).read()
print(key["AccessKeyId"], key["SecretAccessKey"])
