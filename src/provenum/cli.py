"""The `provenum` command line: discovers the command modules and dispatches."""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from . import __version__, commands


def _command_modules():
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"{commands.__name__}.{info.name}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="provenum",
        description="Constant-time big-number kernels for RSA, proved correct from their machine code.",
    )
    parser.add_argument("--version", action="version", version=f"provenum {__version__}")
    top = parser.add_subparsers(dest="command", metavar="COMMAND")
    groups: dict[str, argparse._SubParsersAction] = {}
    for module in _command_modules():
        words = module.NAME.split()
        target = top
        if len(words) == 2:
            group, words = words[0], words[1:]
            if group not in groups:
                gp = top.add_parser(group, help=f"{group} commands")
                groups[group] = gp.add_subparsers(dest=f"{group}_command", metavar="WHAT", required=True)
            target = groups[group]
        sub = target.add_parser(words[0], help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(_run=module.run, _parser=sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if not hasattr(args, "_run"):
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        parser.print_help()
        return 2
    if extra:  # the sub-command's own usage, not the top-level one (exit status 2)
        args._parser.error(f"unrecognized arguments: {' '.join(extra)}")
    from .commands._common import CLIError

    try:
        return int(args._run(args) or 0)
    except CLIError as exc:
        print(f"provenum: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
