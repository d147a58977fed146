"""CloudFormation for cis-worker, generated with troposphere and awacs.

`python -m templates --out DIR` writes two stacks: `pipeline.json` (the image repository and
the CodeBuild project, one per account) and `main.json` (everything one environment runs on).
Each concern has its own module; `builder.py` composes them and is the only place that knows
the order. Modules hand each other small frozen dataclasses of troposphere references.
"""
