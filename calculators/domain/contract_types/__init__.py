"""The JSON shapes of the contracts (``calculators/contracts/*.md``) as ``TypedDict``s, one module
per contract, so the code that builds a request or answers one is checked against what the
contract writes down.

Money is a decimal string in major units, a date an ISO 8601 string, as the contracts say. The
responses are ``@final``, so that ``"errors" in response`` tells an error response from an
answer. A request's whole numbers may be strings of digits, as forms send them (``Count``).
"""
