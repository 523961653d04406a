"""Tests of the benchmarks' own parts: the generated shapes and the guards of bench/."""
