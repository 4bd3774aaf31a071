"""`python -m hindsight ...`: the same as the console script."""

from hindsight.cli import main

main()
