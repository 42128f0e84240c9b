"""The commands of ``api.run``: each reads its request, computes with the domain, words the
result and shapes the contract's JSON response."""
