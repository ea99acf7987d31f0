"""`python -m portal` runs the same command as `portal`."""

from portal.commands.cli import main

if __name__ == "__main__":
    main()
