"""Names the image, the registry and the task definition share.

The pipeline stack pushes the worker image and tells CodeBuild the container's name (for
imagedefinitions.json); the main stack's task definition pulls it under that name. The X-Ray
daemon comes from ECR Public through a pull-through cache rule of the pipeline stack, so the
private subnets pull it through the ECR endpoints like the worker image.
"""

WORKER_CONTAINER = "worker"
WORKER_USER = "10001:10001"  # the Dockerfile's USER: numeric, so ECS can check it is not root
XRAY_CONTAINER = "xray-daemon"
XRAY_USER = "65534:65534"  # nobody
PULL_THROUGH_PREFIX = "ecr-public"
PULL_THROUGH_UPSTREAM = "public.ecr.aws"
XRAY_REPOSITORY = "xray/aws-xray-daemon"
