"""Sub-commands of the `provenum` command line, one module each.

A command module defines NAME (e.g. "disasm", or "bench kernels" for a
command under a group), HELP (one line), add_arguments(parser) and
run(args) -> exit status. Modules import their heavy dependencies inside
run(), so that `provenum --help` stays fast.
"""
