"""The sentences of the comparison report, in English and Dutch (keyed by `lang`)."""

from __future__ import annotations

TEXT = {
    "en": {
        "title": "Scenario comparison: {region}",
        "meta": "{population} residents at the start, {years} simulated years from {start}, {reps} replications "
                "per scenario (seeds {seeds}), {crn}. Created {created}. Computing time of the runs: {runtime} "
                "({wall} on the clock in the last start).",
        "crn_on": "common random numbers (every scenario uses the same seeds, so differences are policy, not noise)",
        "crn_off": "independent seeds per scenario (no common random numbers: intervals are wider)",
        "overrides": "Model settings changed for every scenario: {overrides}.",
        "reading": "Every figure is a difference from baseline (today's system) per year, averaged over the "
                   "replications, with its 95% interval in brackets [low; high]. ≈ marks a difference within "
                   "noise: its interval includes 0. Money is per year for the whole region; the tables per "
                   "scenario also give it per 100,000 residents and scaled to the Netherlands.",
        "toc": "Contents",
        "glance": "At a glance",
        "glance_intro": "Difference from baseline per year (region). Green: better, red: worse, grey ≈: within "
                        "noise. Volume (clients) is neither good nor bad in itself.",
        "risk": "Risk cases: sluitpost and afvoerputje",
        "risk_intro": "Both risk scenarios cut help without cutting need. Their effect on low-income residents "
                      "over {years} years:",
        "risk_line": "{title}: unmet need among low-income residents {unmet}, crises among low-income "
                     "residents {crises} per year{verdict}.",
        "risk_up": " — the mechanism shows: need moves into unmet need and crises",
        "risk_none": " — no clear rise at this number of replications",
        "risk_missing": "Add bezuiniging_sociale_basis and substitutie_zonder_middelen to the comparison to see "
                        "the risk cases.",
        "who": "Who pays, who saves",
        "who_intro": "Per financier: care paid, money paid into a pot (preventiefonds, regional budget) and "
                     "shared savings received, as a yearly difference from baseline. Positive: pays more; "
                     "negative: saves. The pots spend what the others paid in, so their rows are not added to "
                     "the total. The wrong-pocket problem shows where one financier pays and another saves.",
        "roi": "Societal return on investment of extra nulde-lijn spending",
        "roi_intro": "ROI = (avoided eerste- and tweede-lijn care cost + avoided productivity loss of employers) "
                     "/ extra nulde-lijn spending (all payers, including the preventiefonds). Horizon: the {years} "
                     "simulated years {first}–{last}. Money is in present value: discounted at {rate} a year, the "
                     "rate for costs of the Dutch guideline for economic evaluations (Zorginstituut 2024), the "
                     "first year ({first}) not discounted; the amounts below are totals over the horizon, not per "
                     "year. Productivity loss is valued by the friction-cost method (Kostenhandleiding 2024): the "
                     "hours of paid work that employed residents with a severe need lose, counted only within the "
                     "friction period, after which someone else does the work. The ROI is given only where the "
                     "extra nulde-lijn spending is clearly positive (its 95% interval above 0), with a bootstrap "
                     "interval over replications; above 1, each euro in the nulde lijn returns more than a euro "
                     "elsewhere. The last column gives the ROI without discounting, for comparison.",
        "roi_na": "not applicable: {reason}",
        "roi_na_short": "n/a",
        "roi_reason.not_clear": "the extra nulde-lijn spending is within noise (its interval includes 0)",
        "roi_reason.negative": "the nulde lijn spends less than in baseline",
        "roi_reason.too_few": "fewer than 2 replications, no interval",
        "drift": "Baseline drift over the horizon",
        "drift_intro": "Today's system does not stand still: between {first} and {last} the baseline's tweede-lijn "
                       "care cost changes by {tweede} and its nulde-lijn cost by {nulde} (table: not discounted, "
                       "means over replications, the change with its 95% interval). When the baseline grows, the "
                       "same relative effect of a scenario avoids more euros each year, so a ROI that rises over "
                       "the years can come from the growing baseline rather than from a growing effect. The tables "
                       "by year give the avoided care cost as a share of the baseline's eerste- and tweede-lijn "
                       "cost of that year: if that share stays about the same while the ROI rises, the rise comes "
                       "from the baseline.",
        "roi_by_year": "ROI by year",
        "roi_by_year_none": "No scenario in this comparison clearly spends more in the nulde lijn, so there is no "
                            "ROI to show by year.",
        "roi_by_year_intro": "For each scenario with a ROI over the horizon, per year: the discounted extra spending "
                             "and savings of that year, the ROI of the year and the cumulative ROI up to it (each "
                             "only where the extra spending it divides by is clearly positive), and the avoided care "
                             "cost as a share of the baseline's eerste- and tweede-lijn cost of that year.",
        "roi_by_year_reading": "Avoided care cost is {share_first} of the baseline's eerste- and tweede-lijn cost in "
                               "{first} and {share_last} in {last}; over these years the baseline's tweede-lijn cost "
                               "changes by {tweede}.",
        "figures": "Figures",
        "fig_volume": "Clients in care per line over time: levels (top) and difference from baseline (bottom), "
                      "with 95% bands over replications. Table: monthly.csv.",
        "fig_cost": "Yearly net spending per financier (care + contributions − shared savings received), "
                    "difference from baseline with 95% intervals. Table: differences.csv (metric cost).",
        "fig_who_pays": "Who pays, who saves: yearly net spending difference per financier. Table: who_pays.csv "
                        "(component net).",
        "fig_flows": "Shift between lines: referrals per year between nulde, eerste and tweede lijn, change from "
                     "baseline in percent; the column labels give the baseline numbers. Table: flows.csv.",
        "fig_health": "Health and inequality: mean health per domain and the health gap between high and low "
                      "income in the last year, unmet need and crises among low-income residents. "
                      "Table: differences.csv.",
        "scenarios": "Scenarios, their assumptions and results",
        "assumptions": "Assumptions",
        "levers": "Lever changes against baseline",
        "no_levers": "No lever changes: this is the reference.",
        "headline": "Headline differences",
        "money": "Who pays, who saves",
        "uncertainty": "Uncertainty and replications",
        "unc_intro": "Each interval is a 95% t-interval over the {reps} paired replications. {noise} of {total} "
                     "headline differences are within noise. The table gives, per measure, the number of "
                     "replications at which the interval half-width would fall below {precision} of the "
                     "baseline value given the spread observed (the most any scenario needs), the number used, and "
                     "for how many scenarios the difference is clear of noise.",
        "files": "Files",
        "files_intro": "Every table is in CSV and Parquet next to this report, in tidy form (one row per "
                       "observation):",
        "limits": "Limits",
        "limits_text": "Results come from a model: most behavioural parameters are assumptions (see "
                       "docs/parameters.md), the region is {region}, and national figures scale it linearly by "
                       "population. Intervals cover the model's randomness, not uncertainty in its parameters.",
        "yes": "yes", "no": "no",
        "col.scenario": "Scenario", "col.measure": "Measure", "col.unit": "Unit", "col.baseline": "Baseline",
        "col.diff": "Difference [95% interval]", "col.per100k": "Per 100,000 residents", "col.nl": "Netherlands",
        "col.noise": "Within noise", "col.financier": "Financier", "col.extra": "Extra nulde-lijn spending",
        "col.avoided": "Avoided care cost", "col.productivity": "Avoided productivity loss",
        "col.roi": "ROI over the horizon [95% interval]", "col.roi_undiscounted": "ROI without discounting",
        "col.year": "Year", "col.roi_year": "ROI of the year", "col.roi_cumulative": "Cumulative ROI",
        "col.avoided_share": "Avoided care, share of baseline", "col.change": "Change [95% interval]",
        "col.change_share": "Change",
        "col.target": "Precision sought (±)", "col.needed": "Replications needed", "col.used": "Used",
        "col.hardest": "Hardest scenario", "col.enough": "Enough",
        "col.clear": "Scenarios clear of noise",
        "col.title": "Title",
        "glance.roi": "ROI over the horizon",
        "tbl.differences": "headline measures: difference from baseline with 95% interval, per 100,000 and "
                           "for the Netherlands (columns scenario, metric, line, financier, domain, group, mean, "
                           "low, high, ...)",
        "tbl.who_pays": "who pays, who saves: per scenario, financier and component",
        "tbl.roi": "societal return on investment per scenario over the horizon: discounted components with "
                   "intervals, the ROI with its bootstrap interval or why it is not applicable",
        "tbl.roi_by_year": "return on investment per scenario and year: discounted components of the year and "
                           "cumulative, ROI of the year and cumulative ROI with intervals, avoided care as a share "
                           "of baseline",
        "tbl.baseline_drift": "the baseline's care cost per line and productivity loss in the first and last year, "
                              "and the change",
        "tbl.yearly": "yearly series per scenario: level and difference with intervals",
        "tbl.monthly": "clients per line per month per scenario",
        "tbl.flows": "referrals between lines per year",
        "tbl.replications": "replications needed per measure",
        "tbl.measures": "every headline measure of every run (the raw values)",
        "tbl.mechanisms": "the saving of each scenario that saves, split by mechanism",
        "mech": "What a saving rests on",
        "mech_intro": "For every scenario whose total care cost is clearly below baseline's, each mechanism is "
                      "switched off in both arms (same seeds, {reps} replications) and the saving measured again. "
                      "A mechanism's part is the saving lost without it, per year, with its 95% interval. "
                      "Mechanisms interact, so the parts need not add up; the last row is what no single listed "
                      "mechanism carries. A large part resting on an assumed mechanism is a result to read with "
                      "care (docs/parameters.md says which values are assumed).",
        "mech_none": "No scenario's total care cost is clearly below baseline's: there is no saving to split.",
        "mech_off": "The split by mechanism was not computed (mechanisms=false, or crn=false).",
        "col.mechanism": "mechanism (switched off)",
        "col.saving": "saving per year",
        "col.part": "part of the saving",
        "col.share": "share",
        "tbl.configs": "configs/: the resolved configuration of each scenario (base seed)",
        "tbl.runs": "runs/: the cached extract of each run (lets an interrupted comparison resume)",
    },
    "nl": {
        "title": "Scenariovergelijking: {region}",
        "meta": "{population} inwoners bij de start, {years} gesimuleerde jaren vanaf {start}, {reps} replicaties "
                "per scenario (seeds {seeds}), {crn}. Gemaakt {created}. Rekentijd van de runs: {runtime} "
                "({wall} op de klok bij de laatste start).",
        "crn_on": "gemeenschappelijke toevalsgetallen (elk scenario gebruikt dezelfde seeds, dus verschillen "
                  "komen van het beleid, niet van toeval)",
        "crn_off": "onafhankelijke seeds per scenario (geen gemeenschappelijke toevalsgetallen: bredere intervallen)",
        "overrides": "Modelinstellingen gewijzigd voor elk scenario: {overrides}.",
        "reading": "Elk getal is een verschil met het huidige stelsel per jaar, gemiddeld over de replicaties, met "
                   "het 95%-interval tussen haken [laag; hoog]. ≈ betekent binnen ruis: het interval bevat 0. "
                   "Bedragen zijn per jaar voor de hele regio; de tabellen per scenario geven ze ook per 100.000 "
                   "inwoners en opgeschaald naar Nederland.",
        "toc": "Inhoud",
        "glance": "In één oogopslag",
        "glance_intro": "Verschil met het huidige stelsel per jaar (regio). Groen: beter, rood: slechter, grijs ≈: "
                        "binnen ruis. Volume (cliënten) is op zich niet goed of slecht.",
        "risk": "Risicoscenario's: sluitpost en afvoerputje",
        "risk_intro": "Beide risicoscenario's schrappen hulp zonder dat de hulpvraag verdwijnt. Het effect op "
                      "inwoners met een laag inkomen over {years} jaar:",
        "risk_line": "{title}: onvervulde zorgvraag bij lage inkomens {unmet}, crises bij lage inkomens {crises} "
                     "per jaar{verdict}.",
        "risk_up": " — het mechanisme is zichtbaar: de vraag verschuift naar onvervulde zorgvraag en crises",
        "risk_none": " — geen duidelijke stijging bij dit aantal replicaties",
        "risk_missing": "Neem bezuiniging_sociale_basis en substitutie_zonder_middelen op in de vergelijking om "
                        "de risicoscenario's te zien.",
        "who": "Wie betaalt, wie bespaart",
        "who_intro": "Per financier: betaalde zorg, inleg in een pot (preventiefonds, regionaal budget) en "
                     "ontvangen gedeelde besparingen, als verschil per jaar met het huidige stelsel. Positief: "
                     "betaalt meer; negatief: bespaart. De potten besteden wat de anderen inlegden en tellen dus "
                     "niet mee in het totaal. Het schotten- (wrong pocket-)probleem: de een betaalt, de ander "
                     "bespaart.",
        "roi": "Maatschappelijk rendement van extra uitgaven in de nulde lijn",
        "roi_intro": "Rendement = (vermeden zorgkosten eerste en tweede lijn + vermeden productiviteitsverlies van "
                     "werkgevers) / extra uitgaven nulde lijn (alle betalers, inclusief het preventiefonds). "
                     "Horizon: de {years} gesimuleerde jaren {first}–{last}. Bedragen zijn contante waarden: "
                     "verdisconteerd met {rate} per jaar, het percentage voor kosten uit de richtlijn voor "
                     "economische evaluaties (Zorginstituut 2024), het eerste jaar ({first}) niet "
                     "verdisconteerd; de bedragen hieronder zijn totalen over de horizon, niet per jaar. "
                     "Productiviteitsverlies is gewaardeerd met de frictiekostenmethode (Kostenhandleiding 2024): "
                     "de uren betaald werk die werkenden met een ernstige zorgvraag verliezen, alleen binnen de "
                     "frictieperiode, waarna een ander het werk doet. Het rendement staat er alleen waar de extra "
                     "uitgaven in de nulde lijn duidelijk positief zijn (95%-interval boven 0), met een "
                     "bootstrap-interval over replicaties; boven 1 levert elke euro in de nulde lijn elders meer "
                     "dan een euro op. De laatste kolom geeft het rendement zonder verdiscontering, ter "
                     "vergelijking.",
        "roi_na": "niet van toepassing: {reason}",
        "roi_na_short": "n.v.t.",
        "roi_reason.not_clear": "de extra uitgaven in de nulde lijn liggen binnen ruis (het interval bevat 0)",
        "roi_reason.negative": "de nulde lijn geeft minder uit dan in het huidige stelsel",
        "roi_reason.too_few": "minder dan 2 replicaties, geen interval",
        "drift": "Verloop van het huidige stelsel over de horizon",
        "drift_intro": "Het huidige stelsel staat niet stil: tussen {first} en {last} veranderen de zorgkosten in "
                       "de tweede lijn met {tweede} en die in de nulde lijn met {nulde} (tabel: niet "
                       "verdisconteerd, gemiddelden over replicaties, de verandering met 95%-interval). Groeit het "
                       "huidige stelsel, dan vermijdt hetzelfde relatieve effect van een scenario elk jaar meer "
                       "euro's; een rendement dat over de jaren stijgt kan dus uit de groei van het huidige "
                       "stelsel komen en niet uit een groeiend effect. De tabellen per jaar geven de vermeden "
                       "zorgkosten als aandeel van de kosten in de eerste en tweede lijn van het huidige stelsel in "
                       "dat jaar: blijft dat aandeel ongeveer gelijk terwijl het rendement stijgt, dan komt de "
                       "stijging uit het huidige stelsel.",
        "roi_by_year": "Rendement per jaar",
        "roi_by_year_none": "Geen scenario in deze vergelijking geeft duidelijk meer uit in de nulde lijn, dus er is "
                            "geen rendement per jaar te tonen.",
        "roi_by_year_intro": "Voor elk scenario met een rendement over de horizon, per jaar: de verdisconteerde extra "
                             "uitgaven en besparingen van dat jaar, het rendement van het jaar en het cumulatieve "
                             "rendement tot dan (elk alleen waar de extra uitgaven waardoor het deelt duidelijk "
                             "positief zijn), en de vermeden zorgkosten als aandeel van de kosten in de eerste en "
                             "tweede lijn van het huidige stelsel in dat jaar.",
        "roi_by_year_reading": "De vermeden zorgkosten zijn {share_first} van de kosten in de eerste en tweede lijn "
                               "van het huidige stelsel in {first} en {share_last} in {last}; over deze jaren "
                               "veranderen de tweedelijnskosten van het huidige stelsel met {tweede}.",
        "figures": "Figuren",
        "fig_volume": "Cliënten in zorg per lijn door de tijd: niveaus (boven) en verschil met het huidige stelsel "
                      "(onder), met 95%-banden over replicaties. Tabel: monthly.csv.",
        "fig_cost": "Netto-uitgaven per financier per jaar (zorg + inleg − ontvangen besparing), verschil met het "
                    "huidige stelsel met 95%-intervallen. Tabel: differences.csv (metric cost).",
        "fig_who_pays": "Wie betaalt, wie bespaart: verschil in netto-uitgaven per financier per jaar. Tabel: "
                        "who_pays.csv (component net).",
        "fig_flows": "Verschuiving tussen lijnen: verwijzingen per jaar tussen nulde, eerste en tweede lijn, "
                     "verandering in procenten; de kolomkoppen geven de aantallen in het huidige stelsel. "
                     "Tabel: flows.csv.",
        "fig_health": "Gezondheid en ongelijkheid: gemiddelde gezondheid per domein en de gezondheidskloof tussen "
                      "hoge en lage inkomens in het laatste jaar, onvervulde zorgvraag en crises bij lage "
                      "inkomens. Tabel: differences.csv.",
        "scenarios": "Scenario's, hun aannames en uitkomsten",
        "assumptions": "Aannames",
        "levers": "Gewijzigde beleidsknoppen ten opzichte van het huidige stelsel",
        "no_levers": "Geen gewijzigde knoppen: dit is de referentie.",
        "headline": "Kerncijfers",
        "money": "Wie betaalt, wie bespaart",
        "uncertainty": "Onzekerheid en replicaties",
        "unc_intro": "Elk interval is een 95%-t-interval over de {reps} gepaarde replicaties. {noise} van de "
                     "{total} verschillen in de kerncijfers liggen binnen ruis. De tabel geeft per maat het aantal "
                     "replicaties waarbij de halve breedte van het interval onder {precision} van de waarde in "
                     "het huidige stelsel zou komen, gegeven de waargenomen spreiding (het hoogste aantal over "
                     "de scenario's), het gebruikte aantal, en voor hoeveel scenario's het verschil buiten ruis "
                     "ligt.",
        "files": "Bestanden",
        "files_intro": "Elke tabel staat als CSV en Parquet naast dit rapport, in tidy vorm (één rij per "
                       "waarneming):",
        "limits": "Beperkingen",
        "limits_text": "De uitkomsten komen uit een model: de meeste gedragsparameters zijn aannames (zie "
                       "docs/parameters.md), de regio is {region}, en landelijke cijfers schalen die lineair op "
                       "naar inwonertal. De intervallen dekken het toeval in het model, niet de onzekerheid in "
                       "de parameters.",
        "yes": "ja", "no": "nee",
        "col.scenario": "Scenario", "col.measure": "Maat", "col.unit": "Eenheid", "col.baseline": "Huidig stelsel",
        "col.diff": "Verschil [95%-interval]", "col.per100k": "Per 100.000 inwoners", "col.nl": "Nederland",
        "col.noise": "Binnen ruis", "col.financier": "Financier", "col.extra": "Extra uitgaven nulde lijn",
        "col.avoided": "Vermeden zorgkosten", "col.productivity": "Vermeden productiviteitsverlies",
        "col.roi": "Rendement over de horizon [95%-interval]",
        "col.roi_undiscounted": "Rendement zonder verdiscontering", "col.year": "Jaar",
        "col.roi_year": "Rendement van het jaar", "col.roi_cumulative": "Cumulatief rendement",
        "col.avoided_share": "Vermeden zorgkosten, aandeel huidig stelsel", "col.change": "Verandering [95%-interval]",
        "col.change_share": "Verandering",
        "col.target": "Gezochte precisie (±)", "col.needed": "Benodigde replicaties", "col.used": "Gebruikt",
        "col.hardest": "Moeilijkste scenario", "col.enough": "Genoeg",
        "col.clear": "Scenario's buiten ruis",
        "col.title": "Titel",
        "glance.roi": "Rendement over de horizon",
        "tbl.differences": "kerncijfers: verschil met het huidige stelsel met 95%-interval, per 100.000 en voor "
                           "Nederland (kolommen scenario, metric, line, financier, domain, group, mean, low, "
                           "high, ...)",
        "tbl.who_pays": "wie betaalt, wie bespaart: per scenario, financier en component",
        "tbl.roi": "maatschappelijk rendement per scenario over de horizon: verdisconteerde componenten met "
                   "intervallen, het rendement met bootstrap-interval of waarom het niet van toepassing is",
        "tbl.roi_by_year": "rendement per scenario en jaar: verdisconteerde componenten van het jaar en cumulatief, "
                           "rendement van het jaar en cumulatief met intervallen, vermeden zorgkosten als aandeel "
                           "van het huidige stelsel",
        "tbl.baseline_drift": "zorgkosten per lijn en productiviteitsverlies van het huidige stelsel in het eerste "
                              "en laatste jaar, en de verandering",
        "tbl.yearly": "jaarreeksen per scenario: niveau en verschil met intervallen",
        "tbl.monthly": "cliënten per lijn per maand per scenario",
        "tbl.flows": "verwijzingen tussen lijnen per jaar",
        "tbl.replications": "benodigde replicaties per maat",
        "tbl.measures": "elke kernmaat van elke run (de ruwe waarden)",
        "tbl.mechanisms": "de besparing van elk scenario dat bespaart, naar mechanisme",
        "mech": "Waar een besparing op rust",
        "mech_intro": "Voor elk scenario waarvan de totale zorgkosten duidelijk onder die van het huidige stelsel "
                      "liggen, wordt elk mechanisme in beide armen uitgezet (dezelfde seeds, {reps} replicaties) en "
                      "de besparing opnieuw gemeten. Het deel van een mechanisme is de besparing die zonder dat "
                      "mechanisme verdwijnt, per jaar, met 95%-interval. Mechanismen werken op elkaar in, dus de "
                      "delen tellen niet per se op; de laatste rij is wat geen enkel genoemd mechanisme alleen "
                      "draagt. Rust een groot deel op een aangenomen mechanisme, lees de uitkomst dan met zorg "
                      "(docs/parameters.md zegt welke waarden aangenomen zijn).",
        "mech_none": "Bij geen enkel scenario liggen de totale zorgkosten duidelijk onder die van het huidige "
                     "stelsel: er is geen besparing om uit te splitsen.",
        "mech_off": "De uitsplitsing naar mechanisme is niet berekend (mechanisms=false of crn=false).",
        "col.mechanism": "mechanisme (uitgezet)",
        "col.saving": "besparing per jaar",
        "col.part": "deel van de besparing",
        "col.share": "aandeel",
        "tbl.configs": "configs/: de volledige configuratie van elk scenario (basis-seed)",
        "tbl.runs": "runs/: de bewaarde samenvatting van elke run (een onderbroken vergelijking gaat daar verder)",
    },
}
