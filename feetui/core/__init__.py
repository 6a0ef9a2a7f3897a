"""Pure business rules: money, parsing, rounding, fees, late fees, allocation, capitals, shifts,
the journal hash chain, payment codes and PIN hashing.

Standard library only: no I/O, no clock, no randomness. Import from the modules themselves
(``feetui.core.parse``, ``feetui.core.fees`` ...); errors are ``feetui.core.errors`` types.
"""
