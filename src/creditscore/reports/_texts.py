"""Fixed texts of the reports: the contract's definitions and the package's rules.

The target definitions and the point-in-time rules are copied from the record
contract (guide: records) so that a reviewer reads, in the card, the
very definitions the labels were built from.
"""

from __future__ import annotations

__all__ = [
    "TARGETS",
    "PERFORMANCE_WINDOW",
    "LEFT_OUT_RULES",
    "NEVER_USED",
    "INTENDED_USE",
    "OUT_OF_SCOPE",
    "ETHICS",
    "CAVEATS",
    "LIMITATIONS",
    "FACTORS",
    "MOTIVATION",
    "COLLECTION",
    "PREPROCESSING",
    "USES",
    "DISTRIBUTION",
    "MAINTENANCE",
]

PERFORMANCE_WINDOW = (
    "Performance window: for an observation date t, W = (t, t + 365 days]. An obligation "
    "(instalment or contribution) is 90 days late on day d = due_on + 90 days if it was not "
    "paid by then (paid_on null or paid_on > due_on + 90 days). Force-majeure obligations "
    "and void records never count. A contribution with an employer_id is the employer's "
    "obligation, so its lateness is never the subject's arrears. A label whose window ends "
    "after the records were extracted (extracted_on) is unknown, and that (subject, t) pair "
    "is left out of training and evaluation. Three disjoint samples: fit (the base model), "
    "tuning (early stopping and calibration, the latest training date) and validation "
    "(never used in development, starting one full performance window after the last fit "
    "or tuning date, so that no outcome window overlaps); performance is measured on the "
    "validation sample (creditscore backtest)."
)

TARGETS = {
    "default_12m": (
        "default_12m: a loan instalment becomes 90 days late within 12 months. Population "
        "at t: subjects with at least one loan open at t and no instalment of theirs already "
        "90 days late on or before t and still unpaid at t. Label 1 if any instalment of a "
        "loan open at t becomes 90 days late on a day in W, else 0."
    ),
    "breach_12m": (
        "breach_12m: a social insurance contribution becomes 90 days late, or a breach-type "
        "public record (enforcement default, tax arrears, benefit fraud) is recorded, within "
        "12 months. Population at t: every subject with no self-owed contribution "
        "(employer_id null) already 90 days late on or before t and still unpaid at t, and no "
        "breach-type public record (not void, not force majeure) recorded on or before t, "
        "unresolved at t, and not under open dispute at t. Label 1 if in W a self-owed "
        "contribution becomes 90 days late, or a breach-type public record is recorded (not "
        "void, not force majeure), else 0."
    ),
}

TARGETS["entity_breach_12m"] = (  # the guide (entities)
    "entity_breach_12m: employer contribution arrears of 3 months or more begin (an "
    "employer-owed contribution, not force majeure, becomes 90 days late), or a breach-type "
    "public record of the entity is recorded, within 12 months. Population at t: entities with "
    "an employer-owed contribution due in the 12 months up to t, none already 3 months in "
    "arrears on or before t and unpaid at t, and no breach-type public record recorded by t, "
    "unresolved at t and not under open dispute at t (guide: entities)."
)

LEFT_OUT_RULES = (
    "Expired items: a negative item (a late instalment, an unpaid contribution, a public "
    "record) is shown for its display period from the day its negative state ended (the "
    "instalment or contribution paid, the record resolved); past that period it is left out.",
    "Disputed items: a record under open dispute at t (dispute opened on or before t and not "
    "closed by t) is left out at t.",
    "Void items: a record whose dispute was upheld is void everywhere, at every date.",
    "Force majeure: a record or obligation officially deferred or caused by force majeure "
    "never counts as negative.",
    "Record types not in the catalogue are refused with an error, never silently used.",
    "Point in time: a feature as of t uses only what was known on day t.",
)

NEVER_USED = (
    "Protected attributes (sex, birth year, ethnicity, hukou, region) never enter the model, "
    "nor anything derived from them; they are read only by the fairness audit.",
    "No political, religious, biometric, location, social-media or other behavioural data: "
    "the model scores financial obligations only.",
)

INTENDED_USE = (
    "Estimate the probability that a financial obligation fails within 12 months (the "
    "target below), as advice for a human decision: early warning so that support or "
    "review can come before harm.",
    "Rank and tier subjects (risk tiers, not a blacklist) for proportionate supervision, "
    "always with plain-language reasons and, where possible, recourse.",
    "Research on credit scoring under the rule of law: features, fairness and explanation.",
)

OUT_OF_SCOPE = (
    "Any sanction, refusal of a public service, or restriction of movement, employment or "
    "education taken on the score alone: a score is advice for a human decision, never a "
    "sanction by itself.",
    "Scoring anyone before the model has passed the fairness gate: scoring is refused "
    "without a passed audit of this very model.",
    "Judging moral character, honesty or trustworthiness: the model predicts the failure "
    "of financial obligations only.",
    "Populations, record types or periods unlike the training data (another country's "
    "records, a different catalogue, a new product) without a new evaluation and audit.",
    "Use after the records it relies on have been disputed or expired without rescoring.",
)

FACTORS = (
    "Relevant factors: the protected attributes the audit examines (sex, age band from "
    "birth year at the observation date, ethnicity, hukou, region) and their "
    "intersections; the observation date (out-of-time stability); thin files (subjects "
    "with few records).",
    "Evaluation factors: results are disaggregated by each protected attribute in the "
    "quantitative analyses below; groups below the minimum reportable size are suppressed.",
)

ETHICS = (
    "Being wrongly flagged for supervision is the main harm: the audit compares "
    "false-positive rates across groups, and the gate refuses a model with a clear "
    "disparity.",
    "Historical records can carry bias (for example a group over-recorded in public "
    "records for the same behaviour); a model trained on them can learn it. The audit "
    "measures outcomes, and proxy detection names features that stand in for a protected "
    "attribute.",
    "Credit repair: negative items expire, resolved records weigh less, disputes set "
    "records aside, and force majeure never counts, so that nobody is marked forever.",
    "Privacy: subject ids are pseudonyms, small groups are suppressed in every report, "
    "and every scoring run is written to an append-only audit log with its purpose.",
)

CAVEATS = (
    "Re-audit and re-evaluate after retraining, after a change of catalogue, and when the "
    "drift report shows a significant shift (PSI above 0.25).",
    "Read probabilities together with their confidence intervals; small groups and recent "
    "periods carry wide ones.",
    "Give every subject the reasons for their score and a way to dispute the records it "
    "used; rescore after a dispute is decided.",
    "Keep a human in the decision: the tier decides who is reviewed, not what happens to them.",
)

LIMITATIONS = (
    "Labels need a full 12-month window, so the most recent year of records cannot be "
    "evaluated yet; performance on it is an extrapolation.",
    "Subjects outside a target's population at t (for example without an open loan) are "
    "not scored for that target.",
    "Thin files: subjects with few records get less certain estimates.",
    "The fairness gate is a screen on the audited population; it does not prove the "
    "absence of discrimination in other populations or uses.",
    "Observational data: the model finds associations, not causes; recourse suggestions "
    "follow the model, not a guarantee of the outcome.",
)

# The data sheet (after Gebru et al. 2021)
MOTIVATION = (
    "A record set of the creditscore contract: the financial obligations of natural "
    "persons (social insurance contributions, loans and their repayments, and court, "
    "enforcement, tax and administrative records), kept to study and build credit "
    "scores under the rule of law."
)
COLLECTION = (
    "Each table holds one kind of record as the contract defines it; dates are "
    "calendar dates, money is in one currency, and subject ids are pseudonyms, never "
    "national id numbers. The records were drawn on the extraction date shown at the "
    "top."
)
PREPROCESSING = (
    "Features and labels are built per (subject, observation date) under the "
    "point-in-time rule; expired, disputed, void and force-majeure items are left "
    "out as the catalogue says. Labels whose 12-month window ends after the "
    "extraction date are unknown and left out."
)
USES = (
    "Training, evaluating and auditing default_12m and breach_12m models. The protected "
    "table is read only by the fairness audit and by this data sheet; it never feeds a "
    "model. Not for any use that profiles people beyond their financial obligations."
)
DISTRIBUTION = (
    "Share only pseudonymised records and only with those entitled to them; "
    "reports built from them suppress groups too small to be anonymous."
)
MAINTENANCE = (
    "Corrections arrive as disputes (dispute_opened_on, dispute_upheld); a new "
    "extraction replaces the record set and should get a new data sheet."
)
