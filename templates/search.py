"""Where documents are indexed: an OpenSearch domain of this stack, or an existing endpoint.

With CreateSearchDomain=true the stack makes a one-node domain inside the VPC: encrypted at
rest with the stack's key, node-to-node encryption, HTTPS only with TLS 1.2 or newer,
fine-grained access control whose master user is an IAM role — SearchAdminRoleArn, or the
operator role (identities.py) when none is given, never the worker's role — and its logs,
audit log included, in CloudWatch. The worker's role gets no admin rights: `index-setup`, run
as the operator, maps it to an index-level write role (worker/search/security.py). A snapshot
bucket and the role OpenSearch uses to write to it come with the domain; `index-setup`
registers the repository (worker/search/snapshots.py). Otherwise the worker writes to
SearchEndpoint; a rule (parameters.py) refuses a stack that has neither.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from awacs import es
from awacs import kms as kms_actions
from awacs import logs as log_actions
from awacs.aws import Allow, Condition, PolicyDocument, Principal, Statement, StringEquals
from troposphere import (
    GetAtt,
    If,
    Join,
    Ref,
    Sub,
    Template,
    ec2,
    iam,
    logs,
    opensearchservice,
)

from templates import policies
from templates.encryption import DataKey
from templates.identities import TaskIdentities
from templates.network import Network, https_egress
from templates.parameters import CREATE_SEARCH_DOMAIN, HAS_SEARCH_ADMIN_ROLE, MainParameters
from templates.storage import Bucket, private_bucket

ENGINE_VERSION = "OpenSearch_2.19"
TLS_POLICY = "Policy-Min-TLS-1-2-PFS-2023-10"
LOG_TYPES = ("ES_APPLICATION_LOGS", "AUDIT_LOGS", "SEARCH_SLOW_LOGS", "INDEX_SLOW_LOGS")
COND = {"Condition": CREATE_SEARCH_DOMAIN}


@dataclass(frozen=True)
class SearchTarget:
    endpoint: object  # https URL the worker writes to
    snapshot_bucket: object  # bucket name of the snapshot repository, or "" without a domain
    snapshot_role_arn: object  # the role OpenSearch writes snapshots with, or ""


def _security_group(t: Template, network: Network) -> ec2.SecurityGroup:
    group = t.add_resource(ec2.SecurityGroup(
        "SearchSecurityGroup", VpcId=Ref(network.vpc), **COND,
        GroupDescription="OpenSearch domain: HTTPS from the worker tasks only",
        SecurityGroupIngress=[ec2.SecurityGroupRule(
            Description="HTTPS from the tasks", IpProtocol="tcp", FromPort=443, ToPort=443,
            SourceSecurityGroupId=Ref(network.task_sg))],
        SecurityGroupEgress=[ec2.SecurityGroupRule(
            Description="No outbound traffic", IpProtocol="-1", CidrIp="127.0.0.1/32")]))
    t.add_resource(https_egress("TaskEgressToSearch", network.task_sg,
                                "HTTPS to the search domain", Condition=CREATE_SEARCH_DOMAIN,
                                DestinationSecurityGroupId=GetAtt(group, "GroupId")))
    return group


def _log_groups(t: Template, key: DataKey) -> dict[str, opensearchservice.LogPublishingOption]:
    group = t.add_resource(logs.LogGroup("SearchLogGroup", RetentionInDays=365,
                                         KmsKeyId=key.arn, **COND))
    arn = GetAtt(group, "Arn")
    delivery = policies.document(Statement(
        Effect=Allow, Principal=Principal("Service", ["es.amazonaws.com"]),
        Action=[log_actions.PutLogEvents, log_actions.CreateLogStream],
        Resource=["${Arn}"],
        Condition=Condition(StringEquals("aws:SourceAccount", "${AWS::AccountId}"))))
    t.add_resource(logs.ResourcePolicy(
        "SearchLogDelivery", PolicyName=Sub("${AWS::StackName}-opensearch-logs"), **COND,
        PolicyDocument=Sub(json.dumps(policies.as_dict(delivery)), Arn=arn)))
    return {kind: opensearchservice.LogPublishingOption(CloudWatchLogsLogGroupArn=arn,
                                                        Enabled=True) for kind in LOG_TYPES}


def _access_policy(domain_arn: object, ids: TaskIdentities, admin: object) -> PolicyDocument:
    principals = [ids.task_role_arn, ids.operator_role_arn,
                  If(HAS_SEARCH_ADMIN_ROLE, admin, Ref("AWS::NoValue"))]
    return policies.document(Statement(
        Effect=Allow, Principal=Principal("AWS", principals),
        Action=[es.ESHttpGet, es.ESHttpHead, es.ESHttpPost, es.ESHttpPut, es.ESHttpDelete],
        Resource=[policies.under(domain_arn)]))


def _snapshots(t: Template, key: DataKey, ids: TaskIdentities,
               logs: Bucket) -> tuple[Bucket, iam.Role]:
    """The bucket manual snapshots go to, the role OpenSearch writes them with, and the
    operator's right to hand that role to OpenSearch when it registers the repository."""
    bucket = private_bucket(t, "SnapshotBucket", key, logs=logs, condition=CREATE_SEARCH_DOMAIN)
    role = t.add_resource(iam.Role(
        "SnapshotRole", **COND,
        AssumeRolePolicyDocument=policies.assume_role("es.amazonaws.com"),
        Description="OpenSearch Service writes the domain's manual snapshots to its bucket",
        Policies=[policies.inline("snapshots", *policies.bucket_access_statements(bucket.arn),
                                  policies.allow([kms_actions.Decrypt,
                                                  kms_actions.GenerateDataKey],
                                                 [key.arn], "DataKey"))]))
    t.add_resource(policies.conditional_policy(
        "OperatorSnapshotRole", ids.operator_role, CREATE_SEARCH_DOMAIN,
        policies.pass_role_statements(GetAtt(role, "Arn"), "es.amazonaws.com")))
    return bucket, role


def add_search(t: Template, p: MainParameters, key: DataKey, network: Network,
               ids: TaskIdentities, logs: Bucket) -> SearchTarget:
    name = Join("-", [Ref(p.project), Ref(p.environment)])
    domain_arn = policies.arn("es", "domain/${Name}", Name=name)
    admin = Ref(p.search_admin_role)
    domain = t.add_resource(opensearchservice.Domain(
        "SearchDomain", DomainName=name, EngineVersion=ENGINE_VERSION, **COND,
        ClusterConfig=opensearchservice.ClusterConfig(
            InstanceType=Ref(p.search_instance_type), InstanceCount=1,
            ZoneAwarenessEnabled=False, DedicatedMasterEnabled=False),
        EBSOptions=opensearchservice.EBSOptions(EBSEnabled=True, VolumeType="gp3",
                                                VolumeSize=Ref(p.search_volume_gb)),
        EncryptionAtRestOptions=opensearchservice.EncryptionAtRestOptions(
            Enabled=True, KmsKeyId=key.id),
        NodeToNodeEncryptionOptions=opensearchservice.NodeToNodeEncryptionOptions(Enabled=True),
        DomainEndpointOptions=opensearchservice.DomainEndpointOptions(
            EnforceHTTPS=True, TLSSecurityPolicy=TLS_POLICY),
        AdvancedSecurityOptions=opensearchservice.AdvancedSecurityOptionsInput(
            Enabled=True, InternalUserDatabaseEnabled=False,
            MasterUserOptions=opensearchservice.MasterUserOptions(
                MasterUserARN=If(HAS_SEARCH_ADMIN_ROLE, admin, ids.operator_role_arn))),
        AccessPolicies=policies.as_dict(_access_policy(domain_arn, ids, admin)),
        VPCOptions=opensearchservice.VPCOptions(
            SubnetIds=network.subnet_ids[:1],
            SecurityGroupIds=[Ref(_security_group(t, network))]),
        LogPublishingOptions=_log_groups(t, key),
    ))
    t.add_resource(policies.conditional_policy(
        "TaskSearchDomainAccess", ids.task_role, CREATE_SEARCH_DOMAIN,
        policies.search_write_statements(domain_arn)))
    t.add_resource(policies.conditional_policy(
        "OperatorSearchDomainAccess", ids.operator_role, CREATE_SEARCH_DOMAIN,
        policies.search_statements(domain_arn)))
    bucket, role = _snapshots(t, key, ids, logs)
    endpoint = If(CREATE_SEARCH_DOMAIN,
                  Join("", ["https://", GetAtt(domain, "DomainEndpoint")]),
                  Ref(p.search_endpoint))
    return SearchTarget(endpoint=endpoint,
                        snapshot_bucket=If(CREATE_SEARCH_DOMAIN, bucket.name, ""),
                        snapshot_role_arn=If(CREATE_SEARCH_DOMAIN, GetAtt(role, "Arn"), ""))
