"""VPC endpoints: how the private subnets reach AWS without a route to the internet.

S3 is a gateway endpoint (free; ECR's image layers come through it too). The interface
endpoints are the ones something in the task or on the instance calls; each costs an hourly
fee per availability zone, so they sit in two of the three zones (instances in the third reach
them across zones) and the Secrets Manager one exists only when a secret is configured.
With InterfaceEndpoints=minimal only the SQS endpoint stays and the rest goes out through
the NAT gateway, which costs far less than nine endpoints in two zones (docs/cost.md).

Left out on purpose: `sts` (task credentials come from the ECS agent, nothing calls STS),
`ssm`/`ssmmessages`/`ec2messages` (no shell on workers: no Session Manager, no ECS Exec),
`monitoring` (metrics leave as EMF log lines through `logs`), `kms` (S3, SQS and CloudWatch
Logs call KMS themselves, server side).
"""

from __future__ import annotations

from troposphere import Ref, Sub, Template, ec2

from templates.network import Network
from templates.parameters import ALL_ENDPOINTS, SECRET_ENDPOINT

ENDPOINT_AZ_COUNT = 2

INTERFACE_ENDPOINTS: dict[str, str] = {
    "ecr.api": "registry login and image manifests",
    "ecr.dkr": "image pulls (layers through the S3 gateway)",
    "logs": "awslogs driver: worker logs and EMF metrics",
    "ecs": "ECS agent: registration and task state",
    "ecs-agent": "ECS agent: polling for work",
    "ecs-telemetry": "ECS agent: Container Insights",
    "sqs": "the work queue and its DLQ",
    "bedrock-runtime": "embeddings",
    "xray": "trace segments from the X-Ray daemon sidecar",
    "secretsmanager": "secrets injected into the task at start",
}
ALWAYS = {"sqs"}  # the checklist's: kept with InterfaceEndpoints=minimal too
CONDITIONS = {"secretsmanager": SECRET_ENDPOINT}


def _title(service: str) -> str:
    return "".join(part.title() for part in service.replace("-", ".").split(".")) + "Endpoint"


def add_endpoints(t: Template, network: Network) -> None:
    t.add_resource(ec2.VPCEndpoint(
        "S3GatewayEndpoint", VpcId=Ref(network.vpc), VpcEndpointType="Gateway",
        ServiceName=Sub("com.amazonaws.${AWS::Region}.s3"),
        RouteTableIds=[Ref(network.private_route_table)]))
    for service in INTERFACE_ENDPOINTS:
        extra = {}
        if service not in ALWAYS:
            extra["Condition"] = CONDITIONS.get(service, ALL_ENDPOINTS)
        t.add_resource(ec2.VPCEndpoint(
            _title(service), VpcId=Ref(network.vpc), VpcEndpointType="Interface",
            ServiceName=Sub(f"com.amazonaws.${{AWS::Region}}.{service}"),
            PrivateDnsEnabled=True,
            SubnetIds=network.subnet_ids[:ENDPOINT_AZ_COUNT],
            SecurityGroupIds=[Ref(network.endpoint_sg)],
            **extra))
