"""The `bangban` console script: Django's management commands under the project's name."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangban.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["bangban", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
