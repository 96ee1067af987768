"""``python -m demo``: see ``demo.run``."""

from demo.run import main

if __name__ == "__main__":  # not again in a multiprocessing child that re-imports the main module
    main()
