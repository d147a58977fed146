"""The VPC: private subnets in three availability zones, no public addresses, flow logs.

Workers need no inbound traffic. They reach AWS through VPC endpoints (`endpoints.py`) and,
with CreateNatGateway=true (the default, the design checklist's layout), through one NAT
gateway for the APIs that have no endpoint there. Security groups accept nothing from
outside, and their egress is HTTPS only, to:

- the interface endpoints' security group, and S3's prefix list (the gateway endpoint's
  routes: S3PrefixListId, Tokyo's by default) — always;
- the search domain's security group, when the stack creates the domain (search.py);
- anywhere (0.0.0.0/0) only when there is a NAT gateway: in that layout Bedrock, X-Ray,
  ECR, CloudWatch Logs and the ECS agent's APIs are reached through it, at addresses no
  security group or prefix list can name. With InterfaceEndpoints=all and no NAT gateway the
  tasks and instances can reach nothing but the endpoints, S3 and the domain.
The endpoints accept HTTPS from the instances and the tasks only.
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import Cidr, GetAtt, GetAZs, Ref, Select, Template, ec2

from templates.parameters import HAS_NAT
from templates.policies import under
from templates.storage import FLOW_LOG_PREFIX, Bucket

AZ_COUNT = 3
SUBNET_BITS = 8  # /24 subnets of a /16../22 VPC


@dataclass(frozen=True)
class Network:
    vpc: ec2.VPC
    private_subnets: tuple[ec2.Subnet, ...]
    private_route_table: ec2.RouteTable
    instance_sg: ec2.SecurityGroup
    task_sg: ec2.SecurityGroup
    endpoint_sg: ec2.SecurityGroup

    @property
    def subnet_ids(self) -> list[Ref]:
        return [Ref(subnet) for subnet in self.private_subnets]


def _subnet(t: Template, title: str, vpc: ec2.VPC, index: int, cidr: object,
            **extra: object) -> ec2.Subnet:
    return t.add_resource(ec2.Subnet(
        title, VpcId=Ref(vpc),
        AvailabilityZone=Select(index % AZ_COUNT, GetAZs("")),
        CidrBlock=Select(index, Cidr(cidr, AZ_COUNT + 1, SUBNET_BITS)),
        MapPublicIpOnLaunch=False, **extra))


HTTPS = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}


def https_egress(title: str, group: ec2.SecurityGroup, description: str,
                 **destination: object) -> ec2.SecurityGroupEgress:
    """One more HTTPS egress rule of `group` (destination: CidrIp, DestinationSecurityGroupId,
    DestinationPrefixListId; Condition)."""
    return ec2.SecurityGroupEgress(title, GroupId=GetAtt(group, "GroupId"),
                                   Description=description, **HTTPS, **destination)


def _https_out(title: str, vpc: ec2.VPC, description: str, endpoint_sg: ec2.SecurityGroup,
               s3_prefix_list: object) -> ec2.SecurityGroup:
    return ec2.SecurityGroup(
        title, GroupDescription=description, VpcId=Ref(vpc),
        SecurityGroupEgress=[
            ec2.SecurityGroupRule(Description="HTTPS to the VPC interface endpoints",
                                  DestinationSecurityGroupId=GetAtt(endpoint_sg, "GroupId"),
                                  **HTTPS),
            ec2.SecurityGroupRule(Description="HTTPS to S3 through the gateway endpoint",
                                  DestinationPrefixListId=s3_prefix_list, **HTTPS)])


def _security_groups(t: Template, vpc: ec2.VPC,
                     s3_prefix_list: object) -> tuple[ec2.SecurityGroup, ...]:
    endpoint_sg = t.add_resource(ec2.SecurityGroup(
        "EndpointSecurityGroup", VpcId=Ref(vpc),
        GroupDescription="VPC interface endpoints: HTTPS from instances and tasks",
        SecurityGroupEgress=[ec2.SecurityGroupRule(
            Description="No outbound traffic (endpoints only answer)",
            IpProtocol="-1", CidrIp="127.0.0.1/32")]))
    instance_sg = t.add_resource(_https_out("InstanceSecurityGroup", vpc,
                                            "cis-worker container instances: no inbound",
                                            endpoint_sg, s3_prefix_list))
    task_sg = t.add_resource(_https_out("TaskSecurityGroup", vpc,
                                        "cis-worker tasks (awsvpc): no inbound",
                                        endpoint_sg, s3_prefix_list))
    for source in (instance_sg, task_sg):
        t.add_resource(ec2.SecurityGroupIngress(
            f"EndpointIngressFrom{source.title.removesuffix('SecurityGroup')}",
            GroupId=GetAtt(endpoint_sg, "GroupId"), Description=f"HTTPS from {source.title}",
            SourceSecurityGroupId=GetAtt(source, "GroupId"), **HTTPS))
        t.add_resource(https_egress(
            f"{source.title.removesuffix('SecurityGroup')}EgressThroughNat", source,
            "HTTPS through the NAT gateway: the APIs without an endpoint in this layout",
            CidrIp="0.0.0.0/0", Condition=HAS_NAT))
    return instance_sg, task_sg, endpoint_sg


def _nat(t: Template, vpc: ec2.VPC, cidr: object, private_rt: ec2.RouteTable) -> None:
    """One NAT gateway in a public subnet, all created only when HasNatGateway."""
    cond = {"Condition": HAS_NAT}
    igw = t.add_resource(ec2.InternetGateway("InternetGateway", **cond))
    attach = t.add_resource(ec2.VPCGatewayAttachment(
        "InternetGatewayAttachment", VpcId=Ref(vpc), InternetGatewayId=Ref(igw), **cond))
    public = _subnet(t, "PublicSubnet", vpc, AZ_COUNT, cidr, **cond)
    public_rt = t.add_resource(ec2.RouteTable("PublicRouteTable", VpcId=Ref(vpc), **cond))
    t.add_resource(ec2.Route("PublicDefaultRoute", RouteTableId=Ref(public_rt),
                             DestinationCidrBlock="0.0.0.0/0", GatewayId=Ref(igw),
                             DependsOn=[attach], **cond))
    t.add_resource(ec2.SubnetRouteTableAssociation(
        "PublicSubnetRoutes", SubnetId=Ref(public), RouteTableId=Ref(public_rt), **cond))
    eip = t.add_resource(ec2.EIP("NatAddress", Domain="vpc", DependsOn=[attach], **cond))
    nat = t.add_resource(ec2.NatGateway("NatGateway", SubnetId=Ref(public),
                                        AllocationId=GetAtt(eip, "AllocationId"), **cond))
    t.add_resource(ec2.Route("PrivateDefaultRoute", RouteTableId=Ref(private_rt),
                             DestinationCidrBlock="0.0.0.0/0", NatGatewayId=Ref(nat), **cond))


def _flow_logs(t: Template, vpc: ec2.VPC, logs: Bucket) -> None:
    t.add_resource(ec2.FlowLog(
        "VpcFlowLog", ResourceId=Ref(vpc), ResourceType="VPC", TrafficType="ALL",
        LogDestinationType="s3", LogDestination=under(logs.arn, FLOW_LOG_PREFIX),
        MaxAggregationInterval=600))


def add_network(t: Template, cidr: object, logs: Bucket, s3_prefix_list: object) -> Network:
    vpc = t.add_resource(ec2.VPC("Vpc", CidrBlock=cidr, EnableDnsHostnames=True,
                                 EnableDnsSupport=True))
    private_rt = t.add_resource(ec2.RouteTable("PrivateRouteTable", VpcId=Ref(vpc)))
    subnets = []
    for index in range(AZ_COUNT):
        subnet = _subnet(t, f"PrivateSubnet{index + 1}", vpc, index, cidr)
        t.add_resource(ec2.SubnetRouteTableAssociation(
            f"PrivateSubnet{index + 1}Routes", SubnetId=Ref(subnet),
            RouteTableId=Ref(private_rt)))
        subnets.append(subnet)
    instance_sg, task_sg, endpoint_sg = _security_groups(t, vpc, s3_prefix_list)
    _nat(t, vpc, cidr, private_rt)
    _flow_logs(t, vpc, logs)
    return Network(vpc=vpc, private_subnets=tuple(subnets), private_route_table=private_rt,
                   instance_sg=instance_sg, task_sg=task_sg, endpoint_sg=endpoint_sg)
