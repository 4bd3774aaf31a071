"""The synthetic demo corpus: a fixture generator for the dashboard, the tests and the benchmarks."""

from hindsight.demo.corpus import write_demo_corpus
from hindsight.demo.model import REF_TODAY

__all__ = ["REF_TODAY", "write_demo_corpus"]
