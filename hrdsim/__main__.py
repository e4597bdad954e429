"""``python -m hrdsim``: the same as the ``hrdsim`` command."""

from hrdsim.cli import main

if __name__ == "__main__":
    main()
