"""``python -m creditscore``: the same command line as the ``creditscore`` script."""

from .cli import main

__all__ = ["main"]

if __name__ == "__main__":
    main()
