"""The pipeline stack (one per account): image repository, CodeBuild project and its role.

CodeBuild runs buildspec.yml: lint and unit tests, the templates and cfn-lint, the image build
from a base pinned by digest, a dependency audit, an SBOM, a push under the commit hash only,
imagedefinitions.json. The repository's tags are immutable (a pushed commit tag always names
the same image; there is no moving `latest`), it scans on push and keeps the last images
only; a pull-through cache rule brings ECR Public images (the X-Ray daemon) into the private
registry, where the main stack's private subnets can pull them.
"""

from __future__ import annotations

import json

from awacs import codebuild as cb
from awacs import ecr as ecr_actions
from awacs import kms as kms_actions
from awacs import logs as log_actions
from awacs import s3 as s3_actions
from troposphere import GetAtt, Output, Parameter, Ref, Template, codebuild, ecr, logs
from troposphere import iam as iam_

from templates import policies
from templates.encryption import DataKey, add_key
from templates.images import PULL_THROUGH_PREFIX, PULL_THROUGH_UPSTREAM, WORKER_CONTAINER
from templates.metadata import skip_checks
from templates.storage import Bucket, private_bucket
from templates.tags import Naming, apply_tags

KEEP_IMAGES = 30
UNTAGGED_DAYS = 7
BUILD_IMAGE = "aws/codebuild/standard:7.0"

LIFECYCLE = {"rules": [
    {"rulePriority": 1, "description": f"Untagged images go after {UNTAGGED_DAYS} days",
     "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                   "countUnit": "days", "countNumber": UNTAGGED_DAYS},
     "action": {"type": "expire"}},
    {"rulePriority": 2, "description": f"Keep the last {KEEP_IMAGES} images",
     "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                   "countNumber": KEEP_IMAGES},
     "action": {"type": "expire"}},
]}


def _parameters(t: Template) -> dict[str, Parameter]:
    def p(name: str, **kw: object) -> Parameter:
        return t.add_parameter(Parameter(name, Type="String", **kw))
    return {
        "project": p("ProjectName", Default="cis-worker", AllowedPattern="^[a-z][a-z0-9-]{2,15}$",
                     Description="Tag Project and prefix of names."),
        "environment": p("Environment", Default="shared",
                         AllowedValues=["shared", "dev", "staging", "prod"],
                         Description="Tag Environment (the pipeline serves all environments)."),
        "cost_center": p("CostCenter", Default="search", Description="Tag CostCenter."),
        "repository": p("RepositoryName", Default="cis-worker",
                        Description="ECR repository of the worker image."),
        "source_type": p("SourceType", Default="GITHUB",
                         AllowedValues=["GITHUB", "GITHUB_ENTERPRISE", "BITBUCKET", "CODECOMMIT"],
                         Description="Where CodeBuild gets the repository."),
        "source_location": p("SourceLocation", Description="Clone URL of this repository."),
    }


def _repository(t: Template, name: object, key: DataKey) -> ecr.Repository:
    repo = t.add_resource(ecr.Repository(
        "Repository", RepositoryName=name, DeletionPolicy="Retain", UpdateReplacePolicy="Retain",
        ImageScanningConfiguration=ecr.ImageScanningConfiguration(ScanOnPush=True),
        ImageTagMutability="IMMUTABLE",
        EncryptionConfiguration=ecr.EncryptionConfiguration(EncryptionType="KMS",
                                                            KmsKey=key.arn),
        LifecyclePolicy=ecr.LifecyclePolicy(LifecyclePolicyText=json.dumps(LIFECYCLE))))
    t.add_resource(ecr.PullThroughCacheRule(
        "EcrPublicPullThrough", EcrRepositoryPrefix=PULL_THROUGH_PREFIX,
        UpstreamRegistryUrl=PULL_THROUGH_UPSTREAM))
    return repo


def _role(t: Template, repo: ecr.Repository, artifacts: Bucket, key: DataKey,
          log_group: logs.LogGroup) -> iam_.Role:
    log_arn = policies.arn("logs", "log-group:${Group}:log-stream:*", Group=Ref(log_group))
    reports = policies.arn("codebuild", "report-group/${AWS::StackName}-*")
    statements = [
        policies.allow([log_actions.CreateLogStream, log_actions.PutLogEvents], [log_arn], "Logs"),
        policies.allow([ecr_actions.GetAuthorizationToken], ["*"], "RegistryLogin"),
        policies.allow([ecr_actions.BatchCheckLayerAvailability, ecr_actions.InitiateLayerUpload,
                        ecr_actions.UploadLayerPart, ecr_actions.CompleteLayerUpload,
                        ecr_actions.PutImage, ecr_actions.BatchGetImage,
                        ecr_actions.GetDownloadUrlForLayer], [GetAtt(repo, "Arn")], "Push"),
        policies.allow([s3_actions.PutObject, s3_actions.GetObject, s3_actions.GetObjectVersion],
                       [policies.under(artifacts.arn)], "Artifacts"),
        policies.allow([s3_actions.GetBucketLocation, s3_actions.GetBucketAcl], [artifacts.arn],
                       "ArtifactBucket"),
        policies.allow([kms_actions.Decrypt, kms_actions.Encrypt, kms_actions.GenerateDataKey],
                       [key.arn], "Key"),
        policies.allow([cb.CreateReportGroup, cb.CreateReport, cb.UpdateReport,
                        cb.BatchPutTestCases], [reports], "TestReports"),
    ]
    return t.add_resource(iam_.Role(
        "BuildRole", AssumeRolePolicyDocument=policies.assume_role("codebuild.amazonaws.com"),
        Description="CodeBuild: test, build and push the cis-worker image",
        Policies=[policies.inline("build", *statements)]))


def _project(t: Template, params: dict[str, Parameter], repo: ecr.Repository,
             artifacts: Bucket, key: DataKey) -> codebuild.Project:
    log_group = t.add_resource(logs.LogGroup("BuildLogGroup", RetentionInDays=365,
                                             KmsKeyId=key.arn))
    role = _role(t, repo, artifacts, key, log_group)
    env = {"REPOSITORY_URI": GetAtt(repo, "RepositoryUri"), "CONTAINER_NAME": WORKER_CONTAINER}
    project = t.add_resource(codebuild.Project(
        "BuildProject", ServiceRole=GetAtt(role, "Arn"), EncryptionKey=key.arn,
        Source=codebuild.Source(Type=Ref(params["source_type"]),
                                Location=Ref(params["source_location"]),
                                BuildSpec="buildspec.yml"),
        Artifacts=codebuild.Artifacts(Type="S3", Location=artifacts.name, Packaging="ZIP",
                                      Name="cis-worker-build", EncryptionDisabled=False),
        Environment=codebuild.Environment(
            Type="LINUX_CONTAINER", ComputeType="BUILD_GENERAL1_MEDIUM", Image=BUILD_IMAGE,
            # docker build needs the Docker daemon, which CodeBuild runs in privileged mode only
            PrivilegedMode=True, ImagePullCredentialsType="CODEBUILD",
            EnvironmentVariables=[codebuild.EnvironmentVariable(Name=k, Value=v, Type="PLAINTEXT")
                                  for k, v in env.items()]),
        LogsConfig=codebuild.LogsConfig(CloudWatchLogs=codebuild.CloudWatchLogs(
            Status="ENABLED", GroupName=Ref(log_group))),
        TimeoutInMinutes=60))
    return project


def build_pipeline() -> Template:
    t = Template(Description="cis-worker pipeline: ECR repository, CodeBuild project and role")
    params = _parameters(t)
    naming = Naming(params["project"], params["environment"], params["cost_center"])
    key = add_key(t, naming, title="PipelineKey", purpose="images, build artifacts and logs")
    repo = _repository(t, Ref(params["repository"]), key)
    artifacts = private_bucket(t, "ArtifactBucket", key, expire_days=30)
    skip_checks(artifacts.bucket, {"CKV_AWS_18": "Build artifacts are written only by the "
                                                 "CodeBuild role; CloudTrail records access."})
    project = _project(t, params, repo, artifacts, key)
    for title, value in {"RepositoryUri": GetAtt(repo, "RepositoryUri"),
                         "RepositoryName": Ref(repo), "BuildProjectName": Ref(project),
                         "ArtifactBucketName": artifacts.name}.items():
        t.add_output(Output(title, Value=value))
    apply_tags(t, naming)
    return t

