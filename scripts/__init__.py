"""The SSM linked-data publication: build, validate and serve Annex E (the `ssm` command).

`oas_ssm` is the one import package: the pipeline and the CLI here (the `scripts/` folder of a
checkout), the server in `oas_ssm.server` (`server/`), and the data files bundled with both.
"""

__version__ = "1.1.0.dev0"  # the only place the version is written (pyproject reads it)
