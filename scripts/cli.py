"""The `ssm` command: one sub-command per job (build, validate, serve, diff, export …)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# sub-command -> module with `add_arguments(parser)` and `run(args) -> int`
COMMANDS = {
    "build": ("oas_ssm.build", "Build data/ssm.ttl from the annex and the curated mapping."),
    "validate": ("oas_ssm.validate", "Validate data against the SHACL shapes and HermiT."),
    "consistency": ("oas_ssm.consistency", "Only the HermiT consistency check."),
    "serve": ("oas_ssm.server.serve", "Serve the graph: linked data, HTML and SPARQL."),
    "reload": ("oas_ssm.server.control", "Make a running `ssm serve` load its data again."),
    "diff": ("oas_ssm.diff", "What changed between two versions of the graph."),
    "release": ("oas_ssm.release", "Make a dated, immutable release of the graph and ontology."),
    "publish": ("oas_ssm.publish", "Load the graphs into a SPARQL engine (Graph Store Protocol)."),
    "export": ("oas_ssm.export", "Write the site as static files plus nginx/Apache configuration."),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="ssm", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        sp = sub.add_parser(name, help=help_text, description=help_text)
        sp.set_defaults(module_name=module_name)
        if argv and argv[0] == name:  # import only the command asked for: `ssm build` stays light
            importlib.import_module(module_name).add_arguments(sp)
    args = parser.parse_args(argv)
    module = importlib.import_module(args.module_name)
    try:
        return int(module.run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `ssm validate | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
