"""The buckets: landing (the files to index), thumbnails, and the access-log bucket.

All three: public access blocked, owner-enforced object ownership, versioning, TLS-only bucket
policies, lifecycle rules, encryption with the stack's key (bucket keys keep KMS requests
cheap). Landing and thumbnails log their access to the log bucket; the landing bucket
sends its events to EventBridge, where `events.py` routes them to the queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import GetAtt, Ref, Template, s3

from templates import policies
from templates.encryption import DataKey
from templates.metadata import skip_checks

# Deleting or replacing the stack never deletes files: buckets (and the key that decrypts
# them, encryption.py) stay behind and are removed by hand when really unwanted.
KEEP = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}
ACCESS_LOG_PREFIX = "s3-access/"
FLOW_LOG_PREFIX = "vpc-flow-logs/"
TRAIL_PREFIX = "cloudtrail/"  # the landing bucket's data events (audit.py), when chosen


@dataclass(frozen=True)
class Bucket:
    bucket: s3.Bucket

    @property
    def name(self) -> Ref:
        return Ref(self.bucket)

    @property
    def arn(self) -> GetAtt:
        return GetAtt(self.bucket, "Arn")


@dataclass(frozen=True)
class Storage:
    landing: Bucket
    thumbnails: Bucket
    logs: Bucket
    key: DataKey  # what the buckets are encrypted with; the worker names it on uploads


def _private() -> dict[str, object]:
    return {
        "PublicAccessBlockConfiguration": s3.PublicAccessBlockConfiguration(
            BlockPublicAcls=True, BlockPublicPolicy=True,
            IgnorePublicAcls=True, RestrictPublicBuckets=True),
        "OwnershipControls": s3.OwnershipControls(
            Rules=[s3.OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]),
        "VersioningConfiguration": s3.VersioningConfiguration(Status="Enabled"),
    }


def _kms(key: DataKey) -> s3.BucketEncryption:
    return s3.BucketEncryption(ServerSideEncryptionConfiguration=[
        s3.ServerSideEncryptionRule(
            BucketKeyEnabled=True,
            ServerSideEncryptionByDefault=s3.ServerSideEncryptionByDefault(
                SSEAlgorithm="aws:kms", KMSMasterKeyID=key.arn))])


def _rules(*rules: s3.LifecycleRule) -> s3.LifecycleConfiguration:
    abort = s3.LifecycleRule(
        Id="AbortIncompleteUploads", Status="Enabled",
        AbortIncompleteMultipartUpload=s3.AbortIncompleteMultipartUpload(DaysAfterInitiation=7))
    return s3.LifecycleConfiguration(Rules=[abort, *rules])


def _noncurrent(days: object) -> s3.LifecycleRule:
    return s3.LifecycleRule(
        Id="ExpireOldVersions", Status="Enabled",
        NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(NoncurrentDays=days),
        ExpiredObjectDeleteMarker=True)


def _log_bucket(t: Template, key: DataKey, retention_days: object) -> Bucket:
    bucket = t.add_resource(s3.Bucket(
        "LogBucket", **KEEP,
        BucketEncryption=_kms(key),
        LifecycleConfiguration=_rules(
            s3.LifecycleRule(Id="ExpireLogs", Status="Enabled", ExpirationInDays=retention_days,
                             NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(
                                 NoncurrentDays=1))),
        **_private(),
    ))
    skip_checks(bucket, {
        "CKV_AWS_18": "This is the access-log target; logging it into itself would loop.",
    })
    logs = Bucket(bucket)
    t.add_resource(s3.BucketPolicy("LogBucketPolicy", Bucket=logs.name, PolicyDocument=(
        policies.bucket_policy(
            logs.arn,
            policies.service_may_write_logs("logging.s3.amazonaws.com", logs.arn,
                                            ACCESS_LOG_PREFIX),
            policies.service_may_write_logs("delivery.logs.amazonaws.com", logs.arn,
                                            FLOW_LOG_PREFIX),
            policies.service_may_check_bucket("delivery.logs.amazonaws.com", logs.arn),
            *policies.trail_may_write(logs.arn, TRAIL_PREFIX),
        ))))
    return logs


def private_bucket(t: Template, title: str, key: DataKey, *,
                   rules: tuple[s3.LifecycleRule, ...] = (),
                   expire_days: object = None, logs: Bucket | None = None,
                   condition: str | None = None, **extra: object) -> Bucket:
    """A private, versioned, KMS-encrypted bucket with a TLS-only policy. `expire_days`
    deletes objects that old; `logs` receives its access logs; `condition` makes both the
    bucket and its policy conditional."""
    cond = {"Condition": condition} if condition else {}
    if expire_days is not None:
        rules = (*rules, s3.LifecycleRule(Id="Expire", Status="Enabled",
                                          ExpirationInDays=expire_days))
    if logs is not None:
        extra["LoggingConfiguration"] = s3.LoggingConfiguration(
            DestinationBucketName=logs.name, LogFilePrefix=f"{ACCESS_LOG_PREFIX}{title}/")
    bucket = Bucket(t.add_resource(s3.Bucket(
        title, BucketEncryption=_kms(key), LifecycleConfiguration=_rules(*rules), **KEEP,
        **_private(), **cond, **extra)))
    t.add_resource(s3.BucketPolicy(f"{title}Policy", Bucket=bucket.name, **cond,
                                   PolicyDocument=policies.bucket_policy(bucket.arn)))
    return bucket


def add_storage(t: Template, key: DataKey, *, noncurrent_days: object,
                log_retention_days: object) -> Storage:
    logs = _log_bucket(t, key, log_retention_days)
    tiering = s3.LifecycleRule(Id="IntelligentTiering", Status="Enabled", Transitions=[
        s3.LifecycleRuleTransition(StorageClass="INTELLIGENT_TIERING", TransitionInDays=30)])
    landing = private_bucket(
        t, "LandingBucket", key, rules=(_noncurrent(noncurrent_days), tiering), logs=logs,
        NotificationConfiguration=s3.NotificationConfiguration(
            EventBridgeConfiguration=s3.EventBridgeConfiguration(EventBridgeEnabled=True)))
    thumbnails = private_bucket(t, "ThumbnailBucket", key, rules=(_noncurrent(7),), logs=logs)
    return Storage(landing=landing, thumbnails=thumbnails, logs=logs, key=key)
