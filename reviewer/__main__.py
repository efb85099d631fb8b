"""`python -m reviewer` runs the same entry point as the `reviewer` command."""

from reviewer.app import main

if __name__ == "__main__":
    raise SystemExit(main())
