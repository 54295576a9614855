"""The ledger and the payers: financiers as Mesa agents, and the one ledger of every euro.

Financiers: each municipality (nulde lijn, wijkteam, POH-jeugd, youth care, Wmo), the insurer
(GP, POH-GGZ, hospital, specialist GGZ, wijkverpleging), residents (eigen risico,
`model.money.eigen_risico`), the preventiefonds (filled by municipalities, insurer and employers,
spent on the nulde lijn), employers (fund contributions; they also bear productivity loss,
`model.people.productivity`), and under ontschotting one regional budget that pays for everything the
municipalities and the insurer paid, with savings shared back. How providers are paid (the
financing rules) and the two pots that pay on behalf of others (preventiefonds, regional budget)
are in `model.money.contracts`.

Every euro moves through `Ledger.add`: month, payer, payee, municipality, line, domain,
resident group, kind ("care", "contribution", "shared_savings" or "productivity_loss": lost
production, payee -1) and amount.
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pyarrow as pa

from model.people.residents import GROUPS
from model.care.services import LINES, REPORT_DOMAINS, SERVICES

FINANCIERS = ("municipality", "insurer", "residents", "preventiefonds", "employers", "regional_budget")
F = {name: i for i, name in enumerate(FINANCIERS)}
KINDS = ("care", "contribution", "shared_savings", "productivity_loss")
NO_GROUP = -1
NO_MUNICIPALITY = -1
TEXT = pd.StringDtype(na_value=np.nan)  # pandas' default text columns


class Ledger:
    """Every payment, as columns of numpy arrays gathered month by month."""

    COLUMNS = ("month", "payer", "payee", "municipality", "line", "domain", "group", "kind", "amount")

    def __init__(self):
        self._chunks: list[dict] = []

    def add(self, month, payer, payee, municipality, line, domain, group, kind, amount) -> None:
        amount = np.atleast_1d(np.asarray(amount, dtype=np.float64))
        keep = amount != 0
        kept = int(np.count_nonzero(keep))
        if kept == 0:
            return
        n = len(amount)
        every = kept == n  # usually every amount is kept: copies rather than selections
        chunk = {}
        for name, value in zip(self.COLUMNS, (month, payer, payee, municipality, line, domain, group, kind, amount)):
            value = np.asarray(value)
            if value.size == 1:  # one value for every row: repeated, cheaper than broadcasting
                chunk[name] = value.reshape(1).repeat(kept)
            elif value.shape == (n,):
                chunk[name] = value.copy() if every else value[keep]
            else:
                chunk[name] = np.broadcast_to(value, (n,))[keep]
        self._chunks.append(chunk)

    def arrays(self, first_month: int | None = None) -> dict:
        """The ledger as one array per column; from `first_month` on when given (only the batches
        of those months are joined, not the whole ledger: batches are added month by month)."""
        chunks = self._chunks
        if first_month is not None:
            start = len(chunks)
            while start > 0 and chunks[start - 1]["month"][0] >= first_month:
                start -= 1
            chunks = chunks[start:]
        if not chunks:
            return {c: np.zeros(0) for c in self.COLUMNS}
        return {c: np.concatenate([ch[c] for ch in chunks]) for c in self.COLUMNS}

    def month_chunks(self, month: int):
        """The payment batches of one month (the latest month is at the end)."""
        for ch in reversed(self._chunks):
            if ch["month"][0] != month:
                break
            yield ch

    def month_totals(self, month: int, kind: str, payer: str, n_municipalities: int) -> np.ndarray:
        """Amounts of one kind paid by one payer in one month, per municipality."""
        out = np.zeros(n_municipalities)
        for ch in self.month_chunks(month):
            sel = (ch["kind"] == KINDS.index(kind)) & (ch["payer"] == F[payer])
            out += np.bincount(ch["municipality"][sel].astype(np.int64), weights=ch["amount"][sel],
                               minlength=n_municipalities)
        return out

    def to_frame(self, model, first_month: int | None = None) -> pd.DataFrame:
        """The ledger as a table; from `first_month` on when given (filtered before the table is
        built, so the text columns are made once)."""
        a = self.arrays()
        if first_month is not None:
            keep = a["month"] >= first_month
            a = {c: v[keep] for c, v in a.items()}
        names = model.region.names
        payees = [p.name for p in model.providers] + list(FINANCIERS)
        provider_types = [SERVICES[p.service].name for p in model.providers] + list(FINANCIERS) + [""]

        def labels(values, names_):
            """Names looked up by code, "" or "region" (the last name) for -1: the few names are made
            text once and taken by code (Arrow), rather than one Python string per row."""
            codes = a[values].astype(np.int64)
            codes[codes < 0] += len(names_)
            return pd.array(pa.array(list(names_), type=pa.large_string()).take(codes), dtype=TEXT)

        df = pd.DataFrame({
            "month": a["month"].astype(np.int32),
            "payer": pd.Categorical.from_codes(a["payer"].astype(int), FINANCIERS),
            "payee": pd.Categorical.from_codes(a["payee"].astype(int), payees),
            "provider_type": labels("payee", provider_types),
            "municipality": labels("municipality", list(names) + ["region"]),
            "line": labels("line", LINES + ("",)),
            "domain": labels("domain", REPORT_DOMAINS + ("",)),
            "group": labels("group", GROUPS + ("",)),
            "kind": pd.Categorical.from_codes(a["kind"].astype(int), KINDS),
            "amount": a["amount"],
        })
        return df


class Financier(mesa.Agent):
    """A payer. `kind` is one of FINANCIERS; municipalities also carry their index."""

    def __init__(self, model, kind: str, municipality: int | None = None):
        super().__init__(model)
        self.kind = kind
        self.municipality = municipality
        self.paid_year = 0.0

    def new_year(self) -> None:
        self.paid_year = 0.0


class Municipality(Financier):
    """Pays for the social domain from a yearly budget; after overspending it cuts prevention
    (the social basis) first the next year: the sluitpost. Budgets are incremental: last
    year's spending plus `municipal_budget_slack`."""

    def __init__(self, model, municipality: int):
        super().__init__(model, "municipality", municipality)
        self.budget_year = np.inf  # set from spending at the end of the warm-up

    def set_budget(self, expected_spending: float) -> None:
        self.budget_year = expected_spending * (1.0 + self.model.cfg.financing.municipal_budget_slack)

    def new_year(self) -> None:
        """Compare last year's spending with its budget; cut prevention after overspending; set
        this year's budget incrementally from last year's spending."""
        fin = self.model.cfg.financing
        if np.isfinite(self.budget_year) and self.paid_year > 0:
            overspend = self.paid_year / self.budget_year - 1.0
            cut = float(np.clip(fin.sluitpost_cut * overspend, 0.0, fin.sluitpost_max_cut))
            self.model.policy.sluitpost_cut[self.municipality] = cut
            self.model.outcomes.set_value("prevention_cut", self.municipality, cut)
            self.model.outcomes.set_value("municipal_overspend", self.municipality, overspend)
            self.set_budget(self.paid_year)
        super().new_year()
