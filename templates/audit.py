"""Audit logging: who read, wrote or deleted which landing file (an option).

With LandingDataEvents=true a CloudTrail trail records the landing bucket's S3 data events
(GetObject, PutObject, DeleteObject...) into the log bucket under `cloudtrail/`, encrypted
with the stack's key and with digest files for integrity. Management events are left to the
account's own trail (every account should have one); this trail costs only its data events,
~$0.10 per 100,000 (docs/cost.md). The search domain's audit log is search.py's
(`AUDIT_LOGS` to CloudWatch, switched on by `index-setup`, worker/search/security.py).
"""

from __future__ import annotations

from troposphere import Sub, Template, cloudtrail

from templates.metadata import skip_checks
from templates.parameters import LANDING_DATA_EVENTS
from templates.storage import TRAIL_PREFIX, Storage


def add_data_events(t: Template, storage: Storage) -> cloudtrail.Trail:
    trail = t.add_resource(cloudtrail.Trail(
        "LandingDataEventsTrail", Condition=LANDING_DATA_EVENTS,
        IsLogging=True, S3BucketName=storage.logs.name, S3KeyPrefix=TRAIL_PREFIX.rstrip("/"),
        KMSKeyId=storage.key.arn, EnableLogFileValidation=True,
        IncludeGlobalServiceEvents=False, IsMultiRegionTrail=False,
        EventSelectors=[cloudtrail.EventSelector(
            IncludeManagementEvents=False, ReadWriteType="All",
            DataResources=[cloudtrail.DataResource(
                Type="AWS::S3::Object", Values=[Sub("${Arn}/", Arn=storage.landing.arn)])])]))
    skip_checks(trail, {
        "CKV_AWS_67": "This trail records one bucket's data events in this region; the "
                      "account's own multi-region trail records management events.",
    })
    return trail
