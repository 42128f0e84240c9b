"""Reading untrusted input: the catalogue file and each command's JSON request, into domain
values or a list of ``{field, message}`` problems. Nothing here computes a price."""
