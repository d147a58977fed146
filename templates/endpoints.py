"""VPC endpoints: how the private subnets reach AWS, and what they may reach through them.

S3 is a gateway endpoint (free; ECR's image layers come through it too). The interface
endpoints are the ones something in the task or on the instance calls; each costs an hourly
fee per availability zone. With InterfaceEndpoints=minimal (the default, the design
checklist's layout) only the SQS endpoint exists, in the NAT gateway's zone — the layout
already depends on that zone — and the rest goes out through the NAT gateway. With `all`
every API the workers call has an endpoint in two of the three zones (instances in the third
reach them across zones) and the Secrets Manager one exists only when a secret is configured.

Every endpoint whose service supports endpoint policies has one (endpoint_policies.py): only
this stack's queues, buckets, log group, repositories, model and secret can be reached
through it. `ecs`, `ecs-agent` and `ecs-telemetry` do not support endpoint policies (the ECS
developer guide: "Controlling access to Amazon ECS by attaching an endpoint policy to the VPC
endpoint isn't currently supported"); they carry none, and the agent's instance role (an
AWS-managed policy) is what bounds them.

Left out on purpose: `sts` (task credentials come from the ECS agent, nothing calls STS),
`ssm`/`ssmmessages`/`ec2messages` (no shell on workers: no Session Manager, no ECS Exec),
`monitoring` (metrics leave as EMF log lines through `logs`), `kms` (S3, SQS and CloudWatch
Logs call KMS themselves, server side).
"""

from __future__ import annotations

from troposphere import If, Ref, Sub, Template, ec2

from templates import endpoint_policies
from templates.endpoint_policies import Reachable
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
NO_ENDPOINT_POLICY = frozenset({"ecs", "ecs-agent", "ecs-telemetry"})


def _title(service: str) -> str:
    return "".join(part.title() for part in service.replace("-", ".").split(".")) + "Endpoint"


def _subnets(service: str, network: Network) -> object:
    """Two zones with all endpoints; the always-on SQS endpoint sits in one zone (the NAT
    gateway's) when the layout is minimal."""
    two = network.subnet_ids[:ENDPOINT_AZ_COUNT]
    if service in ALWAYS:
        return If(ALL_ENDPOINTS, two, network.subnet_ids[:1])
    return two


def add_endpoints(t: Template, network: Network, reach: Reachable) -> None:
    t.add_resource(ec2.VPCEndpoint(
        "S3GatewayEndpoint", VpcId=Ref(network.vpc), VpcEndpointType="Gateway",
        ServiceName=Sub("com.amazonaws.${AWS::Region}.s3"),
        RouteTableIds=[Ref(network.private_route_table)],
        PolicyDocument=endpoint_policies.s3_gateway(reach)))
    for service in INTERFACE_ENDPOINTS:
        extra: dict[str, object] = {}
        if service not in ALWAYS:
            extra["Condition"] = CONDITIONS.get(service, ALL_ENDPOINTS)
        if service not in NO_ENDPOINT_POLICY:
            extra["PolicyDocument"] = endpoint_policies.for_service(service, reach)
        t.add_resource(ec2.VPCEndpoint(
            _title(service), VpcId=Ref(network.vpc), VpcEndpointType="Interface",
            ServiceName=Sub(f"com.amazonaws.${{AWS::Region}}.{service}"),
            PrivateDnsEnabled=True,
            SubnetIds=_subnets(service, network),
            SecurityGroupIds=[Ref(network.endpoint_sg)],
            **extra))
