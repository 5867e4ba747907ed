"""The `salama` command for operators: `salama keys rotate`, `salama audit verify`, ...

It is `manage.py` with Salama's settings preselected, so every management command works.
`salama serve` runs the development server (use gunicorn in production, docs/operations.md).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salama.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1:
        args[1] = {"serve": "runserver"}.get(args[1], args[1].replace("-", "_"))
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
