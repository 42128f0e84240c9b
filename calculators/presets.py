"""Named proration policies that reproduce well-known billing engines' documented behaviour.

A request may name one with ``"preset": "<name>"``; any field of its own ``policy`` object then
overrides the preset's value for that field, and fields neither gives take the contract's
defaults. Each preset is tested against its source's published worked examples
(``tests/test_presets.py``).

Every preset sets all ten policy fields, so the engine's defaults never leak into one.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

STRIPE: Final[Mapping[str, object]] = MappingProxyType({
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
})  # fmt: skip
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

KILL_BILL: Final[Mapping[str, object]] = MappingProxyType({
    "time_basis": "day",
    "day_count": "actual",
    "rounding": "half_up",
    "factor_decimals": 9,
    "credit_basis": "paid",
    "apply": "immediately",
    "interval_change": "keep_anchor",
    "negative_total": "credit_balance",
    "tax": None,
    "minimum_charge": "0",
})  # fmt: skip
KILL_BILL_DOC: Final = """Kill Bill (open-source billing), in-advance recurring items.

- Day-based factor rounded to 9 decimals half up: ``days.divide(daysInPeriod,
  KillBillMoney.MAX_SCALE, KillBillMoney.ROUNDING_METHOD)`` with ``MAX_SCALE = 9`` and
  ``ROUND_HALF_UP`` (killbill/killbill: invoice/src/main/java/org/killbill/billing/invoice/
  generator/InvoiceDateUtils.java; util/src/main/java/org/killbill/billing/util/currency/
  KillBillMoney.java, which also rounds each amount half up to the currency's decimals).
- Credit of what was invoiced: a change repairs the billed recurring item with a REPAIR_ADJ of
  the unused share of its amount; a net credit becomes account credit (CBA_ADJ).
- Keep the anchor: after a monthly -> quarterly or annual change the new period still ends on
  the account's billing-cycle day, counted from the current period's start.

Published examples reproduced (killbill/killbill: beatrix/src/test/java/org/killbill/billing/
beatrix/integration/TestIntegrationWithDifferentBillingPeriods.java): monthly 249.95 -> annual
2399.95 on 2012-05-12: -161.26 and +2327.62 (the contract's own example); monthly 29.95 ->
quarterly 69.95: -19.32 and +61.59, next invoice 69.95 on 2012-08-01; an annual 2399.95 paused on
2012-05-12 credits 2327.62 and resumed on 2012-06-04 charges 2380.22 to 2013-06-01.
"""

PRESETS: Final[Mapping[str, Mapping[str, object]]] = MappingProxyType({
    "stripe": STRIPE,
    "killbill": KILL_BILL,
})  # fmt: skip

SOURCES: Final[Mapping[str, str]] = MappingProxyType({
    "stripe": STRIPE_DOC,
    "killbill": KILL_BILL_DOC,
})  # fmt: skip


def preset(name: str) -> dict[str, object]:
    """A copy of the named preset's policy fields; ``KeyError`` names the known presets."""
    try:
        return dict(PRESETS[name])
    except KeyError:
        raise KeyError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}") from None
