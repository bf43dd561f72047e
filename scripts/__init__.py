"""Build and validation pipeline for the SSM linked-data publication (the `ssm` command)."""
