"""What a scenario-discovery study keeps of one run: the sensitivity outputs, plus the money
over the whole horizon that the net result of a policy is computed from.

The reducer `outcomes` is called in the worker that ran the job (named as
"analysis.explore:outcomes"), so only a small dict travels back.

| value | meaning |
|---|---|
| run | the sensitivity outputs (`analysis.sensitivity.OUTPUTS`), run means |
| care_cost | care paid over the horizon by everyone but the preventiefonds (euro; the fund's own spending is what its contributions buy, so it is counted once, as contributions) |
| fund_contributions | paid into the preventiefonds over the horizon by municipalities, insurer and employers (euro) |

The net result needs a baseline run with the same seed and uncertain values (common random
numbers): avoided care cost = care_cost(baseline) - care_cost(policy); the policy pays for itself
when the avoided care cost is at least its fund contributions (`research.ema.net_result`).
"""

from __future__ import annotations

from analysis.sensitivity import outputs as sensitivity_outputs

FUND = "preventiefonds"


def outcomes(results) -> dict:
    """{"run": {output: value}, "care_cost": euro, "fund_contributions": euro} over the horizon."""
    ledger = results.ledger
    kind = ledger["kind"].astype(str)
    payer = ledger["payer"].astype(str)
    payee = ledger["provider_type"].astype(str)
    care = float(ledger.loc[(kind == "care") & (payer != FUND), "amount"].sum())
    fund = float(ledger.loc[(kind == "contribution") & (payee == FUND), "amount"].sum())
    return {"run": sensitivity_outputs(results)["run"], "care_cost": care, "fund_contributions": fund,
            "years": int(results.config.years)}
