"""The pure extraction pipeline: file on disk in, Document out. Never imports boto3."""
