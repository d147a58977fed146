"""Where the tasks run: an ECS cluster whose capacity provider is a spot Auto Scaling group.

Instances come from a launch template (ECS-optimized Amazon Linux 2023 AMI from its public SSM
parameter, encrypted gp3, IMDSv2 only with a hop limit of 1, detailed monitoring); the group
mixes four similar instance types (2 vCPU by default: one task each), spot with capacity
rebalancing, allocated price-capacity-optimized: among the pools least likely to be
interrupted, the cheapest (an interruption costs this worker one redelivered file). ECS
scales the group (managed scaling, target 100%: as many instances as the tasks need, none when
no task runs — the group's minimum is MinTasks, zero by default), protects instances that run
tasks from scale-in (managed termination protection) and drains them before termination
(managed draining).
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import Base64, GetAtt, Ref, Select, Sub, Template, autoscaling, ec2, ecs, iam
from troposphere.policies import AutoScalingScheduledAction, UpdatePolicy

from templates import policies
from templates.limits import STOP_TIMEOUT_SECONDS
from templates.network import Network
from templates.parameters import MainParameters
from templates.tags import Naming

INSTANCE_TYPE_COUNT = 4
ROOT_VOLUME_GB = 30  # the ECS-optimized AMI's snapshot size: the smallest root it allows
SPOT_ALLOCATION = "price-capacity-optimized"
ECS_INSTANCE_POLICY = "arn:${AWS::Partition}:iam::aws:policy/service-role/" \
                      "AmazonEC2ContainerServiceforEC2Role"

USER_DATA = f"""#!/bin/bash
# cis-worker container instance: join the cluster, drain on spot interruption notices, and
# keep tasks away from the instance metadata service (task credentials come from the agent).
set -euo pipefail
cat >>/etc/ecs/ecs.config <<'CONFIG'
ECS_CLUSTER=${{Cluster}}
ECS_ENABLE_SPOT_INSTANCE_DRAINING=true
ECS_AWSVPC_BLOCK_IMDS=true
ECS_ENABLE_TASK_IAM_ROLE=true
ECS_CONTAINER_STOP_TIMEOUT={STOP_TIMEOUT_SECONDS}s
CONFIG
# awsvpc tasks are blocked by the agent (above); this covers any container on docker0 too.
iptables --insert FORWARD 1 --in-interface docker+ --destination 169.254.169.254/32 --jump DROP
"""


@dataclass(frozen=True)
class Compute:
    cluster: ecs.Cluster
    group: autoscaling.AutoScalingGroup
    capacity_provider: ecs.CapacityProvider
    association: ecs.ClusterCapacityProviderAssociations

    @property
    def cluster_name(self) -> Ref:
        return Ref(self.cluster)


def _instance_profile(t: Template) -> iam.InstanceProfile:
    role = t.add_resource(iam.Role(
        "InstanceRole",
        # EC2 passes no aws:SourceAccount when an instance takes its profile's role
        AssumeRolePolicyDocument=policies.assume_role("ec2.amazonaws.com", same_account=False),
        ManagedPolicyArns=[Sub(ECS_INSTANCE_POLICY)],
        Description="ECS container instance: the agent's own calls (AWS-managed policy)"))
    return t.add_resource(iam.InstanceProfile("InstanceProfile", Roles=[Ref(role)]))


def _launch_template(t: Template, p: MainParameters, network: Network,
                     cluster: ecs.Cluster, naming: Naming) -> ec2.LaunchTemplate:
    profile = _instance_profile(t)
    data = ec2.LaunchTemplateData(
        ImageId=Ref(p.ami),
        InstanceType=Select(0, Ref(p.instance_types)),
        IamInstanceProfile=ec2.IamInstanceProfile(Arn=GetAtt(profile, "Arn")),
        SecurityGroupIds=[Ref(network.instance_sg)],
        MetadataOptions=ec2.MetadataOptions(HttpEndpoint="enabled", HttpTokens="required",
                                            HttpPutResponseHopLimit=1),
        Monitoring=ec2.Monitoring(Enabled=True),
        BlockDeviceMappings=[ec2.LaunchTemplateBlockDeviceMapping(
            DeviceName="/dev/xvda",
            Ebs=ec2.EBSBlockDevice(VolumeSize=ROOT_VOLUME_GB, VolumeType="gp3", Encrypted=True,
                                   DeleteOnTermination=True))],
        UserData=Base64(Sub(USER_DATA, Cluster=Ref(cluster))),
        TagSpecifications=[ec2.TagSpecifications(ResourceType=kind,
                                                 Tags=naming.tags(naming.name("worker")))
                           for kind in ("volume", "network-interface")],
    )
    return t.add_resource(ec2.LaunchTemplate("LaunchTemplate", LaunchTemplateData=data))


def _group(t: Template, p: MainParameters, network: Network,
           template: ec2.LaunchTemplate) -> autoscaling.AutoScalingGroup:
    spec = autoscaling.LaunchTemplateSpecification(
        LaunchTemplateId=Ref(template), Version=GetAtt(template, "LatestVersionNumber"))
    return t.add_resource(autoscaling.AutoScalingGroup(
        "AutoScalingGroup",
        MinSize=Ref(p.min_tasks), MaxSize=Ref(p.max_tasks),
        DesiredCapacity=Ref(p.initial_instances),
        VPCZoneIdentifier=network.subnet_ids,
        HealthCheckType="EC2", HealthCheckGracePeriod=300,
        MetricsCollection=[autoscaling.MetricsCollection(Granularity="1Minute")],
        NewInstancesProtectedFromScaleIn=True,
        CapacityRebalance=True,
        MixedInstancesPolicy=autoscaling.MixedInstancesPolicy(
            InstancesDistribution=autoscaling.InstancesDistribution(
                OnDemandBaseCapacity=Ref(p.on_demand_base),
                OnDemandPercentageAboveBaseCapacity=0,
                SpotAllocationStrategy=SPOT_ALLOCATION),
            LaunchTemplate=autoscaling.LaunchTemplate(
                LaunchTemplateSpecification=spec,
                Overrides=[autoscaling.LaunchTemplateOverrides(
                    InstanceType=Select(i, Ref(p.instance_types)))
                    for i in range(INSTANCE_TYPE_COUNT)])),
        UpdatePolicy=UpdatePolicy(AutoScalingScheduledAction=AutoScalingScheduledAction(
            IgnoreUnmodifiedGroupSizeProperties=True)),
    ))


def add_compute(t: Template, p: MainParameters, network: Network, naming: Naming) -> Compute:
    cluster = t.add_resource(ecs.Cluster("Cluster", ClusterSettings=[
        ecs.ClusterSetting(Name="containerInsights", Value="enabled")]))
    group = _group(t, p, network, _launch_template(t, p, network, cluster, naming))
    provider = t.add_resource(ecs.CapacityProvider(
        "CapacityProvider",
        AutoScalingGroupProvider=ecs.AutoScalingGroupProvider(
            AutoScalingGroupArn=Ref(group),
            ManagedScaling=ecs.ManagedScaling(Status="ENABLED", TargetCapacity=100,
                                              MinimumScalingStepSize=1,
                                              MaximumScalingStepSize=10,
                                              InstanceWarmupPeriod=300),
            ManagedTerminationProtection="ENABLED",
            ManagedDraining="ENABLED")))
    association = t.add_resource(ecs.ClusterCapacityProviderAssociations(
        "ClusterCapacityProviders", Cluster=Ref(cluster), CapacityProviders=[Ref(provider)],
        DefaultCapacityProviderStrategy=[ecs.CapacityProviderStrategy(
            CapacityProvider=Ref(provider), Weight=1, Base=0)]))
    return Compute(cluster=cluster, group=group, capacity_provider=provider,
                   association=association)
