"""Draws docs/architecture.png from code (the `diagrams` package over Graphviz).

    bash scripts/diagram.sh        # installs what it needs, then runs this file

Keep it in step with templates/: one node per thing an operator deals with, edges in the
direction data flows.
"""

from __future__ import annotations

from pathlib import Path

from diagrams import Cluster, Diagram, Edge
from diagrams.aws.analytics import AmazonOpensearchService
from diagrams.aws.compute import ECR, EC2SpotInstance, ElasticContainerServiceService
from diagrams.aws.cost import Budgets
from diagrams.aws.devtools import Codebuild, XRay
from diagrams.aws.integration import (
    Eventbridge,
    SimpleNotificationServiceSnsTopic,
    SimpleQueueServiceSqsQueue,
)
from diagrams.aws.management import Cloudwatch, CloudwatchAlarm, CloudwatchLogs
from diagrams.aws.ml import Bedrock
from diagrams.aws.network import Endpoint, VPCFlowLogs
from diagrams.aws.security import KMS, SecretsManager
from diagrams.aws.storage import SimpleStorageServiceS3Bucket as Bucket

OUT = Path(__file__).resolve().parent / "architecture"
GRAPH = {"fontsize": "22", "pad": "0.4", "nodesep": "0.6", "ranksep": "0.9"}


def draw() -> None:
    with Diagram("cis-worker on AWS (main stack + pipeline stack)", filename=str(OUT),
                 outformat="png", show=False, direction="LR", graph_attr=GRAPH):
        landing = Bucket("landing bucket\n(versioned, KMS)")
        rule = Eventbridge("EventBridge rule\nObject Created/Deleted")
        queue = SimpleQueueServiceSqsQueue("work queue\n300 s, 4 days, 20 s polls")
        dlq = SimpleQueueServiceSqsQueue("DLQ, 14 days\n(after 3 receives)")
        with Cluster("pipeline stack (one per account)"):
            build = Codebuild("CodeBuild\nbuildspec.yml")
            registry = ECR("ECR cis-worker\n+ pull-through cache")
        with Cluster("VPC: private subnets in 3 AZs, VPC endpoints, flow logs, no inbound"):
            with Cluster("ECS cluster: capacity provider = spot Auto Scaling group"):
                instances = EC2SpotInstance("spot c5/c6/m5 large\nIMDSv2, hop limit 1")
                service = ElasticContainerServiceService("service: worker\n+ X-Ray daemon")
            endpoints = Endpoint("endpoints: S3, SQS, ECR,\nlogs, ECS, Bedrock, X-Ray")
            flow = VPCFlowLogs("flow logs")
            search = AmazonOpensearchService("OpenSearch\n(optional domain)")
        thumbnails = Bucket("thumbnail bucket")
        bedrock = Bedrock("Bedrock\nTitan embeddings v2")
        with Cluster("operations"):
            logs = CloudwatchLogs("logs + EMF metrics")
            dashboard = Cloudwatch("dashboard")
            alarms = CloudwatchAlarm("6 alarms")
            topic = SimpleNotificationServiceSnsTopic("alert topic\n-> e-mail")
            budget = Budgets("monthly budget")
            traces = XRay("X-Ray traces")
        key = KMS("data key\n(buckets, queues,\nlogs, topic)")
        secret = SecretsManager("search secret\n(optional)")

        landing >> rule >> queue >> Edge(label="poll, scale on wait") >> service
        queue >> Edge(style="dashed") >> dlq
        landing >> Edge(style="dotted", label="download") >> service
        build >> Edge(label=":commit (immutable)") >> registry
        registry >> Edge(style="dotted", label="pull") >> service
        secret >> Edge(style="dotted") >> service
        key >> Edge(style="dotted") >> queue
        instances >> Edge(style="invis") >> service
        service >> Edge(label="thumbnails") >> thumbnails
        service >> Edge(label="embed") >> bedrock
        service >> Edge(label="index") >> search
        service >> logs
        service >> traces
        service - Edge(style="dotted") - endpoints
        endpoints - Edge(style="invis") - flow
        logs >> dashboard
        logs >> alarms >> topic
        budget >> topic


if __name__ == "__main__":
    draw()
