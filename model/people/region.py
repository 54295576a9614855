"""The region: municipalities with their wijken, deprivation and local policy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.parameters import MunicipalityConfig, RegionConfig


@dataclass
class Region:
    name: str
    municipalities: list[MunicipalityConfig]
    wijk_municipality: np.ndarray   # wijk -> municipality index
    wijk_deprivation: np.ndarray    # wijk -> deprivation in [0, 1]

    @property
    def n_municipalities(self) -> int:
        return len(self.municipalities)

    @property
    def names(self) -> list[str]:
        return [m.name for m in self.municipalities]


def generate_municipalities(cfg: RegionConfig) -> list[MunicipalityConfig]:
    """Municipalities that differ in size (lognormal, as Dutch ones), deprivation and light help
    (none in a share of them, as CPB found).

    Uses its own seed so the same region is built whatever the run seed.
    """
    rng = np.random.default_rng(cfg.generated_seed)
    n = cfg.generated_count
    sizes = rng.lognormal(mean=0.0, sigma=0.9, size=n)
    low, high = cfg.generated_light_help_spread
    light = rng.uniform(low, high, size=n)
    light[rng.uniform(size=n) < cfg.generated_without_light_help] = 0.0  # wijkteams that only refer on
    deprivation = np.clip(rng.beta(2.5, 2.5, size=n), 0.05, 0.95)
    coverage = np.clip(rng.uniform(0.5, 1.0, size=n), 0, 1)
    shares = sizes / sizes.sum()
    return [MunicipalityConfig(name=f"Gemeente {i + 1:03d}", population_share=float(shares[i]),
                               deprivation=float(deprivation[i]), wijkteam_light_help=float(light[i]),
                               wijkteam_coverage=float(coverage[i]))
            for i in range(n)]


def build_region(cfg: RegionConfig) -> Region:
    munis = generate_municipalities(cfg) if cfg.generated_count > 0 else list(cfg.municipalities)
    total = sum(m.population_share for m in munis)
    if total <= 0:
        from model.config import ConfigError
        raise ConfigError("'region.municipalities': population shares must add up to more than 0")
    for m in munis:
        m.population_share = m.population_share / total
    k = cfg.wijken_per_municipality
    # wijken spread around the municipal deprivation: the poorest and richest wijk differ by 0.4
    offsets = np.linspace(-0.2, 0.2, k) if k > 1 else np.zeros(1)
    wijk_muni = np.repeat(np.arange(len(munis)), k).astype(np.int32)
    wijk_dep = np.clip(np.concatenate([m.deprivation + offsets for m in munis]), 0.0, 1.0)
    return Region(cfg.name, munis, wijk_muni, wijk_dep.astype(np.float32))
