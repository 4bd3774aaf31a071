"""`python -m hindsight ...`: the same as the console script."""

from hindsight.cli import main

if __name__ == "__main__":  # parse workers start by importing the parent's main module: they must not run it
    main()
