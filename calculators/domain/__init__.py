"""The domain: money, periods, the catalogue model, change kinds, credit, proration arithmetic,
plan fitting, growth, add-ons and records. Knows nothing of requests, wording or HTML."""
