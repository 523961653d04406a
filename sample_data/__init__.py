"""The sample portfolio: a deterministic generator, the seeding of an empty database, and the
Excel sheets PMs would send for the same projects."""

from sample_data.generator import SEED, SamplePortfolio, generate
from sample_data.seed import seed_if_empty, write_sample

__all__ = ["SEED", "SamplePortfolio", "generate", "seed_if_empty", "write_sample"]
