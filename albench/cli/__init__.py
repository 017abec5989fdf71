"""The ``albench`` command line. Exit status: 0 all good, 1 some cells failed, 2 bad input.

One module per command (or group of commands); each imports the machinery it needs only when
it runs, so ``albench --help``, ``status``, ``list`` and ``check`` start in a few tenths of
a second (``tests/test_cli_startup.py`` guards which libraries each command may import).
"""

from __future__ import annotations

import click

from albench.cli.bench import bench
from albench.cli.check import check
from albench.cli.describe import describe
from albench.cli.listing import list_
from albench.cli.migrate import migrate
from albench.cli.plugin import check_plugin
from albench.cli.report import report
from albench.cli.run import run
from albench.cli.status import status
from albench.cli.verify import verify


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="albench", message="albench %(version)s")
def main() -> None:
    """albench: benchmark pool-based active learning strategies, reproducibly."""


for _command in (run, report, check, list_, describe, check_plugin, status, verify, migrate, bench):
    main.add_command(_command)

__all__ = ["main"]
