"""``python -m albench.cli``: the same as the ``albench`` command."""

from albench.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
