"""Named proration policies that reproduce well-known billing engines' documented behaviour.

A request may name one with ``"preset": "<name>"``; any field of its own ``policy`` object then
overrides the preset's value for that field, and fields neither gives take the contract's
defaults. Each preset is tested against its source's published worked examples
(``tests/test_presets.py``).

Every preset sets all thirteen policy fields, so the engine's defaults never leak into one.
Where an engine treats operations differently, a preset models one of them and its text says
which, and which fields give the other (Lago gives an upgrade's change day to the new plan but
counts a termination day as used: ``"preset": "lago", "policy": {"change_day": "current_plan"}``).

The quotations below are short extracts from each engine's public documentation or source, kept
so a reader can check what each field is based on; figures the sources publish are reproduced in
``tests/test_presets.py`` and ``tests/golden/prorate/preset-*.json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

STRIPE: Final[Mapping[str, object]] = MappingProxyType(
    {
        "time_basis": "second",
        "day_count": "actual",
        "rounding": "half_up",
        "factor_decimals": None,
        "credit_basis": "price",
        "apply": "next_invoice",
        "interval_change": "restart",
        "negative_total": "credit_balance",
        "tax": None,
        "minimum_charge": "0",
        "change_day": "new_plan",
        "timing": "in_advance",
        "quantity_change": "credit_and_charge",
    }
)
STRIPE_DOC: Final = """Stripe Billing, classic billing mode, default ``proration_behavior``.

- Time to the second: "Stripe calculates proration down to the second based on the starting
  timestamp of the billing period and the timestamp of the proration's triggering event"
  (https://docs.stripe.com/billing/scripts/prorations).
- Credit at the current price: in classic mode "credit proration amounts are calculated based on
  the value of the subscription item's current price, tax, quantity, and the last discounts
  used" (https://docs.stripe.com/billing/subscriptions/billing-mode/compare).
- Next invoice, credit balance: "Negative prorations aren't automatically refunded and positive
  prorations aren't immediately billed" (https://docs.stripe.com/billing/subscriptions/prorations);
  a net credit "ends up being added to their credit balance to be applied to future invoices"
  (https://support.stripe.com/questions/refunding-credit-balance-to-customer-after-subscription-downgrade-or-cancellation).
- Restart on an interval change: a price with a different billing interval resets the billing
  cycle (https://stripe.com/docs/subscriptions/changing); the engine then issues the invoice that
  opens the new period at once.
- Per-line rounding: each proration is its own invoice item in whole minor units. Stripe does
  not document its tie-breaking rule; half up is assumed.

Published examples reproduced: 10 -> 20 USD a month halfway through: -5.00 and +10.00, 5.00 more
(docs.stripe.com/billing/subscriptions/prorations); 10 -> 100 USD halfway: 45.00 owed, and
100 -> 10 USD halfway: 45.00 to the credit balance (the support article above).
"""
KILL_BILL: Final[Mapping[str, object]] = MappingProxyType(
    {
        "time_basis": "day",
        "day_count": "actual",
        "rounding": "half_up",
        "factor_decimals": 9,
        "credit_basis": "price_capped_at_paid",
        "apply": "immediately",
        "interval_change": "keep_anchor",
        "negative_total": "credit_balance",
        "tax": None,
        "minimum_charge": "0",
        "change_day": "new_plan",
        "timing": "in_advance",
        "quantity_change": "credit_and_charge",
    }
)
KILL_BILL_DOC: Final = """Kill Bill (open-source billing), in-advance recurring items.

- Day-based factor rounded to 9 decimals half up: ``days.divide(daysInPeriod,
  KillBillMoney.MAX_SCALE, KillBillMoney.ROUNDING_METHOD)`` with ``MAX_SCALE = 9`` and
  ``ROUND_HALF_UP`` (killbill/killbill: invoice/src/main/java/org/killbill/billing/invoice/
  generator/InvoiceDateUtils.java; util/src/main/java/org/killbill/billing/util/currency/
  KillBillMoney.java, which also rounds each amount half up to the currency's decimals).
- Credit at the price, capped at what is still on the item: a change repairs the billed
  recurring item with a REPAIR_ADJ for its unused time, and the repair never exceeds the amount
  left on the item after earlier item adjustments, so a 249.95 monthly item adjusted down to
  239.95 and changed on 2 May 2012 is credited 239.95, not 241.89 (the price's 30/31) nor 232.21
  (the paid amount's 30/31); a net credit becomes account credit (CBA_ADJ).
- In advance (``IN_ADVANCE`` billing mode); ``IN_ARREAR`` items are ``timing`` ``in_arrears``.
- A billing-cycle day (BCD) anchors the periods: ``current.billing_cycle_day`` when
  ``period_start`` is that day clamped to a short month (29 Feb 2012 with BCD 30 renews on
  30 Mar 2012).
- Keep the anchor: after a monthly -> quarterly or annual change the new period still ends on
  the account's billing-cycle day, counted from the current period's start.

Published examples reproduced (killbill/killbill: beatrix/src/test/java/org/killbill/billing/
beatrix/integration/TestIntegrationWithDifferentBillingPeriods.java): monthly 249.95 -> annual
2399.95 on 2012-05-12: -161.26 and +2327.62 (the contract's own example); monthly 29.95 ->
quarterly 69.95: -19.32 and +61.59, next invoice 69.95 on 2012-08-01; an annual 2399.95 paused on
2012-05-12 credits 2327.62 and resumed on 2012-06-04 charges 2380.22 to 2013-06-01.
"""
LAGO: Final[Mapping[str, object]] = MappingProxyType(
    {
        "time_basis": "day",
        "day_count": "actual",
        "rounding": "half_up",
        "factor_decimals": None,
        "credit_basis": "price_capped_at_paid",
        "apply": "immediately",
        "interval_change": "keep_anchor",
        "negative_total": "credit_balance",
        "tax": None,
        "minimum_charge": "0",
        "change_day": "new_plan",
        "timing": "in_advance",
        "quantity_change": "credit_and_charge",
    }
)
LAGO_DOC: Final = """Lago (open-source billing), plans paid in advance; the operation modelled is an
upgrade.

- Days, actual: a day costs the plan's amount over the days of its period
  (``single_day_price``: ``plan_amount_cents.fdiv(duration)``, getlago/lago-api
  app/services/subscriptions/dates_service.rb).
- Upgrade: "When a subscription is upgraded, Lago immediately applies the new plan to the
  customer"; paid in advance, "Lago issues a credit note for the unused days remaining on the
  former plan" (getlago.com/docs/guide/subscriptions/upgrades-downgrades). The change day goes
  to the new plan (``billed_from -= 1.day if upgrade`` in
  app/services/credit_notes/create_from_termination.rb).
- Termination counts its day as used (the same code without the upgrade's day): for a
  termination use ``"policy": {"change_day": "current_plan"}``. Its spec: a 31.00 monthly plan
  terminated on 15 Oct 2022 credits "Unused subscription (16 days) EUR16.00", with 20% tax
  EUR19.20 (spec/services/credit_notes/create_from_termination_spec.rb).
- Credit capped at what is on the fee: "if the fee was already prorated ... the amount could be
  greater than the last subscription fee amount. In that case, we have to use the last
  subscription fee amount", less credit notes already issued on it.
- Paid in arrears (``pay_in_advance: false``): ``"policy": {"timing": "in_arrears"}``. "Lago
  immediately generates an invoice covering the prorated portion of the old plan (i.e., the days
  used before the upgrade). At the end of the billing period, a second invoice is issued for the
  prorated portion of the new plan": Plan A at 100 a month upgraded on 15 Jan is charged
  "14 days prorated = EUR45.16 (14/31 x EUR100)". A quarterly 910.00 plan in arrears started on
  20 May 2024 and terminated on 20 Jun 2024 is charged 320.00, "a single day costs 1000 cents"
  (spec/scenarios/subscriptions/upgrade_proration_spec.rb): give the start as
  ``current.service_start`` and count the termination day with ``change_day`` ``current_plan``.
- The new subscription inherits the period "whose anniversary the new subscription inherits"
  (same spec): ``keep_anchor``.
"""
ZUORA: Final[Mapping[str, object]] = MappingProxyType(
    {
        "time_basis": "day",
        "day_count": "actual",
        "rounding": "half_up",
        "factor_decimals": None,
        "credit_basis": "price",
        "apply": "immediately",
        "interval_change": "keep_anchor",
        "negative_total": "credit_balance",
        "tax": None,
        "minimum_charge": "0",
        "change_day": "new_plan",
        "timing": "in_advance",
        "quantity_change": "delta",
    }
)
ZUORA_DOC: Final = """Zuora Billing, recurring charges billed in advance; the operation modelled is
an update of a product's quantity or price.

- Days, actual: "Time-Based ... will prorate the ... charge amount using the actual number of
  days if the billing period is a partial period" (docs.zuora.com, usage charge proration);
  charges are aligned to the account's bill cycle day: "Zuora allows you to prorate a partial
  period fees in order to align your charges to a certain bill cycle day" (docs.zuora.com,
  Proration), hence ``keep_anchor`` and ``current.billing_cycle_day``.
- A quantity change is priced as the change: an Update Product order records the quantity
  delta of the charge segment (docs.zuora.com, Order Delta Quantity), and the prorated amount
  is the delta's share of the period, rounded once: 13 -> 20 units at 5.00 with 14 of 30 days
  left is 7 x 5.00 x 14/30 = 16.33, where a credit and a charge would give 46.67 - 30.33 =
  16.34 (the figure quoted in this project's issue 11; ``quantity_change`` ``credit_and_charge``
  gives the other).
- Bill in arrears (a charge's billing timing): ``"policy": {"timing": "in_arrears"}``; "when
  your customer cancels a subscription, a partial month/period may appear at the end of a
  charge. By the current design, such a partial month/period will always be billed".
"""
CHARGEBEE: Final[Mapping[str, object]] = MappingProxyType(
    {
        "time_basis": "second",
        "day_count": "actual",
        "rounding": "half_up",
        "factor_decimals": None,
        "credit_basis": "price",
        "apply": "immediately",
        "interval_change": "restart",
        "negative_total": "credit_balance",
        "tax": None,
        "minimum_charge": "0",
        "change_day": "new_plan",
        "timing": "in_advance",
        "quantity_change": "credit_and_charge",
    }
)
CHARGEBEE_DOC: Final = """Chargebee, advance billing with proration enabled; the operation modelled
is a plan or quantity change invoiced at once.

- "In Chargebee, an invoice is generated at the beginning of a billing term (Advance Billing).
  If a customer chooses to upgrade or downgrade ... the remaining amount for the existing plan
  should be credited and the new plan amount for the remaining period should be charged";
  "Chargebee prorates charges to the second" (support.chargebee.com, "Pro-ration logic in
  subscriptions"): Plan A 30.00 a month upgraded to Plan B 100.00 with 15 days of 30 left:
  credit 15.00, charge 50.00, 35.00 to pay, renewal 100.00.
- "Chargebee uses the number of days in the current billing cycle to determine the price/day"
  (chargebee.com/docs/proration-old.html): 60.00 -> 30.00 on 21 Apr 2012 in 1 Apr to 1 May:
  "Amount for Period Used: $40", 10.00 for the remaining 10 days, "$10 ... can be added as
  credit to their subscription"; 3 -> 2 units at 30.00 in 1 Apr to 1 May 2013, "Current Quantity
  Used for: 10 days": 60.00 credited, 40.00 charged, 20.00 of credit.
- The published day counts are whole days; to the second, a change "on the 15th" with 15 days
  left is a change at the end of that day (the next midnight UTC), as the tests write it.
- A change of billing period starts a new term (``restart``); credits go to the subscription's
  credit balance.
"""
RECURLY: Final[Mapping[str, object]] = MappingProxyType(
    {
        "time_basis": "second",
        "day_count": "actual",
        "rounding": "half_up",
        "factor_decimals": None,
        "credit_basis": "price",
        "apply": "immediately",
        "interval_change": "restart",
        "negative_total": "credit_balance",
        "tax": None,
        "minimum_charge": "0",
        "change_day": "new_plan",
        "timing": "in_advance",
        "quantity_change": "delta",
    }
)
RECURLY_DOC: Final = """Recurly, a subscription change with the timeframe "now".

- "Proration is the time remaining in the current billing period divided by the time in the
  subscription's plan period. This is then multiplied by the per unit price to get the correct
  amount to charge and credit": "[(current billing period end date - time of change) / (plan
  period end date - plan period start date)] x (per unit price)"
  (support.recurly.com, "How does Recurly calculate proration?"): exact time, ``second``.
- An added user is charged on its own: "if adding an additional user costs $10, but you add
  them halfway through the month of June, the customer would be charged $5 for the remainder of
  the month" (support.recurly.com, "How Is My MRR Affected When I Add a User Mid-Month"):
  ``quantity_change`` ``delta``.
- Changes are invoiced immediately ("Real-time billing adjustments: Immediate invoicing for any
  changes", docs.recurly.com/docs/change-subscription); credits go to the account's balance.
  The interval change (``restart``) is this project's assumption, not quoted.
"""
PRESETS: Final[Mapping[str, Mapping[str, object]]] = MappingProxyType(
    {
        "stripe": STRIPE,
        "killbill": KILL_BILL,
        "lago": LAGO,
        "zuora": ZUORA,
        "chargebee": CHARGEBEE,
        "recurly": RECURLY,
    }
)
SOURCES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "stripe": STRIPE_DOC,
        "killbill": KILL_BILL_DOC,
        "lago": LAGO_DOC,
        "zuora": ZUORA_DOC,
        "chargebee": CHARGEBEE_DOC,
        "recurly": RECURLY_DOC,
    }
)


def preset(name: str) -> dict[str, object]:
    """A copy of the named preset's policy fields; ``KeyError`` names the known presets."""
    try:
        return dict(PRESETS[name])
    except KeyError:
        raise KeyError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}") from None
