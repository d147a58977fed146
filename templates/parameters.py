"""What differs between environments: the main stack's parameters, conditions and rules.

Everything an operator chooses per environment is a parameter here (with the console grouping
in the template's Metadata); everything else is fixed in the modules that use it. Conditions
are named by constants so that modules refer to them without retyping strings. The rules
refuse parameter combinations that cannot work, from the same expressions as the conditions.
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import And, Condition, Equals, Not, Or, Parameter, Ref, Template

# condition names
HAS_NAT = "HasNatGateway"
ALL_ENDPOINTS = "AllInterfaceEndpoints"
SECRET_ENDPOINT = "SecretsManagerEndpoint"
CREATE_SEARCH_DOMAIN = "CreateSearchDomain"
HAS_SEARCH_DOMAIN_ARN = "HasSearchDomainArn"
HAS_SEARCH_SECRET = "HasSearchSecret"
HAS_SEARCH_ADMIN_ROLE = "HasSearchAdminRole"
LANDING_DATA_EVENTS = "LandingDataEvents"

TOKYO_S3_PREFIX_LIST = "pl-61a54008"  # com.amazonaws.ap-northeast-1.s3

# One task fills one 2-vCPU instance: at 100,000 files a month trickling in all day a task of
# two processes is ~27% busy (four processes on a 4-vCPU instance: ~14%), and a trickle pays
# for the instance by the hour; bulk uploads scale out by tasks and instances (docs/cost.md).
DEFAULT_INSTANCE_TYPES = ("c5.large", "c6i.large", "c6a.large", "m5.large")
VCPU_UNITS = 1024
DEFAULT_WORKER_CONCURRENCY = 2  # one process (one Tesseract thread) per vCPU
DEFAULT_TASK_CPU = DEFAULT_WORKER_CONCURRENCY * VCPU_UNITS
# ECS registers ~3,700 MiB of a 4 GiB instance; 3,072 leaves the agent and the OS room and
# gives each process (3,072 - 256) / 2 = 1,408 MiB (worker/limits.py reads the task's memory
# from the ECS task metadata), as 6,144 gave each of four 1,472.
DEFAULT_TASK_MEMORY = 3072


@dataclass(frozen=True)
class MainParameters:
    project: Parameter
    environment: Parameter
    cost_center: Parameter
    alert_email: Parameter
    monthly_budget: Parameter
    vpc_cidr: Parameter
    nat_gateway: Parameter
    endpoints: Parameter
    s3_prefix_list: Parameter
    instance_types: Parameter
    ami: Parameter
    initial_instances: Parameter
    on_demand_base: Parameter
    image_repository: Parameter
    image_tag: Parameter
    xray_daemon_version: Parameter
    task_cpu: Parameter
    task_memory: Parameter
    worker_concurrency: Parameter
    min_tasks: Parameter
    max_tasks: Parameter
    acceptable_latency: Parameter
    seconds_per_file: Parameter
    slow_file_ms: Parameter
    bedrock_region: Parameter
    bedrock_model: Parameter
    embedding_dimensions: Parameter
    search_domain: Parameter
    search_instance_type: Parameter
    search_volume_gb: Parameter
    search_admin_role: Parameter
    search_endpoint: Parameter
    search_domain_arn: Parameter
    search_index: Parameter
    search_secret: Parameter
    log_retention_days: Parameter
    landing_noncurrent_days: Parameter
    landing_data_events: Parameter


def _p(t: Template, name: str, **kwargs: object) -> Parameter:
    kwargs.setdefault("Type", "String")
    return t.add_parameter(Parameter(name, **kwargs))


def _deployment(t: Template) -> dict[str, Parameter]:
    return {
        "project": _p(t, "ProjectName", Default="cis-worker",
                      AllowedPattern="^[a-z][a-z0-9-]{2,15}$",
                      Description="Tag Project and prefix of names (lower case, 3-16 chars)."),
        "environment": _p(t, "Environment", Default="dev", AllowedValues=["dev", "staging", "prod"],
                          Description="Environment name: tags, names, the metrics' dimension."),
        "cost_center": _p(t, "CostCenter", Default="search",
                          Description="Tag CostCenter on every resource (for billing)."),
        "alert_email": _p(t, "AlertEmail", AllowedPattern="^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$",
                          Description="Receives the alarms and budget alerts (confirm the mail)."),
        "monthly_budget": _p(t, "MonthlyBudgetUsd", Type="Number", Default=500, MinValue=1,
                             Description="Monthly cost budget in USD (alerts: 80% spent, "
                             "100% forecast)."),
        "log_retention_days": _p(t, "LogRetentionDays", Type="Number", Default=30,
                                 AllowedValues=[7, 14, 30, 60, 90, 180, 365],
                                 Description="Days the worker's logs are kept."),
    }


def _network(t: Template) -> dict[str, Parameter]:
    return {
        "vpc_cidr": _p(t, "VpcCidr", Default="10.42.0.0/16",
                       AllowedPattern="^(\\d{1,3}\\.){3}\\d{1,3}/(1[6-9]|2[0-2])$",
                       Description="CIDR of the new VPC (/16 to /22: four /24 subnets)."),
        "nat_gateway": _p(t, "CreateNatGateway", Default="true", AllowedValues=["true", "false"],
                          Description="One NAT gateway: the APIs without an interface endpoint "
                          "(InterfaceEndpoints=minimal), or a search cluster outside the VPC. "
                          "false with InterfaceEndpoints=all: no internet path at all."),
        "endpoints": _p(t, "InterfaceEndpoints", Default="minimal",
                        AllowedValues=["all", "minimal"],
                        Description="minimal (the design checklist's): S3 gateway and SQS "
                        "endpoints, the rest through the NAT gateway; all: every AWS API the "
                        "workers call has an interface endpoint (locked down, ~8x the network "
                        "cost, see docs/cost.md)."),
        "s3_prefix_list": _p(t, "S3PrefixListId", Default=TOKYO_S3_PREFIX_LIST,
                             AllowedPattern="^pl-[0-9a-f]{8,17}$",
                             Description="AWS-managed prefix list of S3 in this region (the "
                             "tasks' egress rule); Tokyo's by default. Elsewhere: aws ec2 "
                             "describe-managed-prefix-lists --filters Name=prefix-list-name,"
                             "Values=com.amazonaws.REGION.s3"),
    }


def _compute(t: Template) -> dict[str, Parameter]:
    return {
        "instance_types": _p(t, "InstanceTypes", Type="CommaDelimitedList",
                             Default=",".join(DEFAULT_INSTANCE_TYPES),
                             Description="Exactly four similar spot instance types, all with "
                             "the vCPUs and memory one task asks for (TaskCpu, TaskMemory); the "
                             "first is the launch template's. Default: 2 vCPU, >= 4 GiB; for "
                             "4-vCPU tasks e.g. c5.xlarge,c6i.xlarge,c6a.xlarge,m5.xlarge."),
        "ami": _p(t, "EcsAmi", Type="AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
                  Default="/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
                  Description="Public SSM parameter of the ECS-optimized Amazon Linux 2023 AMI."),
        "initial_instances": _p(t, "InitialInstances", Type="Number", Default=0, MinValue=0,
                                Description="Instances at creation (ECS scales them after; 0: "
                                "the first message starts one)."),
        "on_demand_base": _p(t, "OnDemandBaseCapacity", Type="Number", Default=0, MinValue=0,
                             Description="Instances always on demand; the rest is spot."),
        "image_repository": _p(t, "ImageRepositoryName", Default="cis-worker",
                               Description="ECR repository of the worker image (pipeline stack)."),
        "image_tag": _p(t, "ImageTag", AllowedPattern="^[0-9a-f]{12,40}$",
                        ConstraintDescription="a commit hash tag that CodeBuild pushed "
                        "(12 hex characters); the repository's tags are immutable and there "
                        "is no `latest`",
                        Description="Worker image tag: the commit hash CodeBuild pushed."),
        "xray_daemon_version": _p(t, "XRayDaemonVersion", Default="3.3.14",
                                  Description="Tag of the X-Ray daemon image, pulled through the "
                                  "ECR pull-through cache of the pipeline stack."),
        "task_cpu": _p(t, "TaskCpu", Type="Number", Default=DEFAULT_TASK_CPU, MinValue=1024,
                       Description="CPU units of one task (1024 per vCPU): one task fills one "
                       "instance."),
        "task_memory": _p(t, "TaskMemory", Type="Number", Default=DEFAULT_TASK_MEMORY,
                          MinValue=2048,
                          Description="Memory (MiB) of one task; must fit what ECS registers "
                          "of the smallest instance type (4 GiB types: ~3,700)."),
        "worker_concurrency": _p(t, "WorkerConcurrency", Type="Number",
                                 Default=DEFAULT_WORKER_CONCURRENCY, MinValue=1,
                                 Description="Files processed in parallel per task (= vCPUs)."),
    }


def _scaling(t: Template) -> dict[str, Parameter]:
    return {
        "min_tasks": _p(t, "MinTasks", Type="Number", Default=0, MinValue=0,
                        Description="Tasks when the queue is idle: 0 scales to zero (the first "
                        "message starts a task, minutes later); 1 answers at once but costs "
                        "an always-on instance (docs/cost.md)."),
        "max_tasks": _p(t, "MaxTasks", Type="Number", Default=10, MinValue=1,
                        Description="Upper bound of tasks (and instances)."),
        "acceptable_latency": _p(t, "AcceptableLatencySeconds", Type="Number", Default=600,
                                 MinValue=60, Description="How long a file may wait in the queue; "
                                 "the scaling target."),
        "seconds_per_file": _p(t, "SecondsPerFile", Type="Number", Default=4, MinValue=0.1,
                               Description="Measured processing seconds per file and process "
                               "(docs/cost.md)."),
        "slow_file_ms": _p(t, "SlowFileMilliseconds", Type="Number", Default=120000, MinValue=1000,
                           Description="p90 processing time per file that raises the alarm."),
    }


def _search(t: Template) -> dict[str, Parameter]:
    return {
        "bedrock_region": _p(t, "BedrockRegion", Default="ap-northeast-1",
                             Description="Region of the Bedrock embedding model."),
        "bedrock_model": _p(t, "BedrockModelId", Default="amazon.titan-embed-text-v2:0",
                            Description="Bedrock embedding model."),
        "embedding_dimensions": _p(t, "EmbeddingDimensions", Default="1024",
                                   AllowedValues=["256", "512", "1024"],
                                   Description="Embedding size (must match the index)."),
        "search_domain": _p(t, "CreateSearchDomain", Default="false",
                            AllowedValues=["true", "false"],
                            Description="Create an OpenSearch domain in the VPC; false uses "
                            "SearchEndpoint."),
        "search_instance_type": _p(t, "SearchInstanceType", Default="t3.medium.search",
                                   Description="OpenSearch data node type (one node)."),
        "search_volume_gb": _p(t, "SearchVolumeGb", Type="Number", Default=20, MinValue=10,
                               Description="OpenSearch gp3 volume size (GiB)."),
        "search_admin_role": _p(t, "SearchAdminRoleArn", Default="",
                                Description="IAM role that is the domain's master user; empty "
                                "makes the stack's operator role (the index-setup task) the "
                                "master user. Never the worker's role."),
        "search_endpoint": _p(t, "SearchEndpoint", Default="",
                              Description="https URL of an existing OpenSearch (when no domain "
                              "is created)."),
        "search_domain_arn": _p(t, "SearchDomainArn", Default="",
                                Description="ARN of that existing domain, for SigV4 access "
                                "(empty: no IAM grant)."),
        "search_index": _p(t, "SearchIndex", Default="cis-files",
                           Description="Index alias the worker writes to."),
        "search_secret": _p(t, "SearchSecretArn", Default="",
                            Description="Secrets Manager secret {username, password} for basic "
                            "auth (empty: SigV4)."),
    }


def _storage(t: Template) -> dict[str, Parameter]:
    return {
        "landing_noncurrent_days": _p(t, "LandingNoncurrentDays", Type="Number", Default=30,
                                      MinValue=1, Description="Days an overwritten or deleted "
                                      "landing file version is kept."),
        "landing_data_events": _p(t, "LandingDataEvents", Default="false",
                                  AllowedValues=["true", "false"],
                                  Description="A CloudTrail trail of the landing bucket's S3 "
                                  "data events (who read, wrote or deleted which file) into "
                                  "the log bucket; ~$0.10 per 100,000 events."),
    }


def _given(parameter: Parameter) -> Not:
    return Not(Equals(Ref(parameter), ""))


def _rule(t: Template, title: str, assertion: object, description: str) -> None:
    t.add_rule(title, {"Assertions": [{"Assert": assertion, "AssertDescription": description}]})


def _conditions(t: Template, p: MainParameters) -> None:
    nat = Equals(Ref(p.nat_gateway), "true")
    all_endpoints = Equals(Ref(p.endpoints), "all")
    create_domain = Equals(Ref(p.search_domain), "true")
    t.add_condition(HAS_NAT, nat)
    t.add_condition(ALL_ENDPOINTS, all_endpoints)
    t.add_condition(SECRET_ENDPOINT, And(Condition(ALL_ENDPOINTS), Condition(HAS_SEARCH_SECRET)))
    t.add_condition(CREATE_SEARCH_DOMAIN, create_domain)
    t.add_condition(HAS_SEARCH_DOMAIN_ARN, _given(p.search_domain_arn))
    t.add_condition(HAS_SEARCH_SECRET, _given(p.search_secret))
    t.add_condition(HAS_SEARCH_ADMIN_ROLE, _given(p.search_admin_role))
    t.add_condition(LANDING_DATA_EVENTS, Equals(Ref(p.landing_data_events), "true"))
    # Rules may not refer to conditions, so they reuse the conditions' expressions.
    _rule(t, "EgressIsPossible", Or(all_endpoints, nat),
          "InterfaceEndpoints=minimal needs CreateNatGateway=true.")
    _rule(t, "SearchIsConfigured", Or(create_domain, _given(p.search_endpoint)),
          "Set CreateSearchDomain=true or give SearchEndpoint.")


def _interface(groups: dict[str, dict[str, Parameter]]) -> dict[str, object]:
    return {"AWS::CloudFormation::Interface": {"ParameterGroups": [
        {"Label": {"default": label}, "Parameters": [p.title for p in params.values()]}
        for label, params in groups.items()
    ]}}


def add_main_parameters(t: Template) -> MainParameters:
    groups = {
        "Deployment": _deployment(t),
        "Network": _network(t),
        "Compute and image": _compute(t),
        "Scaling and alarms": _scaling(t),
        "Search and embeddings": _search(t),
        "Storage": _storage(t),
    }
    t.set_metadata(_interface(groups))
    merged = {key: param for params in groups.values() for key, param in params.items()}
    params = MainParameters(**merged)
    _conditions(t, params)
    return params
