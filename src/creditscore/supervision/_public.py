"""The public summary of a draw as a report document (HTML and Markdown): no entity id.

Built only from the public summary dict (:meth:`InspectionDraw.to_dict`), which holds
counts, ratios, rates, the seed and fingerprints, never an entity's id: what is safe to
publish is decided once, there, and this page cannot show more.
"""

from __future__ import annotations

from ..models._entity_tiers import SUPERVISION
from ..reports import BulletList, Callout, Document, KeyValues, Paragraph, Section, Table

__all__ = ["summary_document"]

REDRAW = ("Anyone holding the scores (sha256 above), the plan and the seed can re-draw this "
          "list: `creditscore supervise SCORES --model MODEL_DIR --plan PLAN.yaml --seed "
          "{seed}` gives the same entities and inspectors (the algorithm is published with "
          "the package, guide: entities).")
NOT_A_SANCTION = ("Being drawn is not a finding and no tier is a sanction: an inspection "
                  "reviews compliance on the facts of the case. Persons are never drawn.")


def _pct(x) -> str:
    return "" if x is None else f"{100 * x:.1f}%"


def _tiers(s: dict) -> Table:
    rows = [(t["tier"], SUPERVISION.get(t["tier"], ""), t["entities"], _pct(t["ratio"]),
             t["expected_draws"], t["drawn"], t["mean_pd"], t["expected_arrears_found"])
            for t in s["tiers"]]
    return Table(["tier", "supervision", "entities", "sampling ratio", "expected draws",
                  "drawn", "mean PD", "expected arrears found"], rows,
                 caption="Drawn per tier (counts rounded systematically: floor or ceiling "
                         "of the expected draws, the ceiling with the fractional part's "
                         "probability)")


def _yield(s: dict) -> Table:
    y = s["yield"]
    per = y["per_inspection"]
    rows = [("this draw", y["this_draw"], per["this_draw"]),
            ("the plan, before the draw", y["plan_expected"], per["plan_expected"]),
            ("uniform lottery, same number", y["uniform_same_size"], per["uniform_same_size"]),
            ("top by PD, same number", y["top_n_by_pd"], per["top_n_by_pd"])]
    return Table(["inspections chosen by", "expected arrears found", "per inspection"], rows,
                 caption=f"{y['inspections']} inspections; arrears = entity_breach_12m "
                         "events expected from the calibrated PDs")


def _disparity(s: dict) -> list[Section]:
    d = s["disparity"]
    out = []
    for a in d["attributes"]:
        rows = [(g["group"], g["entities"], g["mean_pd"], _pct(g["expected_rate"]),
                 g["drawn"], _pct(g["realised_rate"]), g["ratio"],
                 {True: "pass", False: "flag", None: "not compared"}[g["passed"]], g["tier_share"],
                 _pct(g["inspection_share"]), _pct(g["arrears_share"])) for g in a["groups"]]
        blocks = [Table(["group", "entities", "mean PD", "expected rate", "drawn",
                         "realised rate", "ratio", "screen", "tier share",
                         "share of inspections", "share of expected arrears"], rows)]
        if a["suppressed"]:
            blocks.append(Paragraph(f"Suppressed (fewer than {d['min_group_size']} "
                                    f"entities): {', '.join(a['suppressed'])}."))
        out.append(Section(a["attribute"], blocks))
    return out


def summary_document(s: dict) -> Document:
    """The public summary's document."""
    flagged = s["disparity"]["flagged"]
    verdict = Callout(
        "Four-fifths screen: " + (f"{len(flagged)} group(s) inspected more than "
                                  f"{1 / s['disparity']['threshold']:.2f} times as often as "
                                  f"the least inspected: {', '.join(flagged)}. The plan "
                                  "treats entities of one tier alike: the difference is "
                                  "their tier mix, which the model's passed audit examined."
                                  if flagged else "no reported group flagged.")
        + (f" Not compared (fewer than two groups of {s['disparity']['min_group_size']} or "
           f"more entities): {', '.join(s['disparity']['not_compared'])}."
           if s["disparity"]["not_compared"] else ""),
        "warn" if flagged else "info" if s["disparity"]["not_compared"] else "pass")
    facts = KeyValues([("purpose", s["purpose"]), ("seed", s["seed"]), ("as of", s["as_of"]),
                       ("entities in the frame", s["frame"]), ("drawn", s["drawn"]),
                       ("model", s["model"]["hash"]), ("model's audit", s["model"]["audit"]),
                       ("scores sha256", s["inputs"]["scores_sha256"]),
                       ("features sha256", s["inputs"]["features_sha256"]),
                       ("entities table sha256", s["inputs"]["entities_sha256"]),
                       ("plan sha256", s["inputs"]["plan_sha256"]),
                       ("inspectors", s["plan"]["inspectors"])])
    lead = Section("The draw", [verdict, Paragraph(NOT_A_SANCTION), facts])
    return Document(
        title="Risk-classified random inspection plan",
        subtitle=f"{s['drawn']} of {s['frame']} entities drawn, seed {s['seed']}",
        lead=lead, model_hash=s["model"]["hash"],
        sections=[Section("Drawn per tier", [_tiers(s)]),
                  Section("Expected yield", [_yield(s)]),
                  Section("Disparity check", [Paragraph(
                      "Expected inspection rate per group (mean inclusion probability), "
                      "the four-fifths screen against the least inspected reported group, "
                      "and the tier mix's share of the gap from the uniform rate "
                      f"({_pct(s['disparity']['uniform_rate'])}); the rest is chance.")],
                      subsections=_disparity(s)),
                  Section("Verify", [Paragraph(REDRAW.format(seed=s["seed"])),
                                     BulletList(s["algorithm"]["steps"])])],
        footer="creditscore supervise: public summary (no entity ids)")
