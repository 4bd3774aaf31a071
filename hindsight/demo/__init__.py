"""The synthetic demo corpus: a fixture generator for the dashboard, the tests and the benchmarks."""

from hindsight.demo.corpus import REF_TODAY, write_demo_corpus

__all__ = ["REF_TODAY", "write_demo_corpus"]
