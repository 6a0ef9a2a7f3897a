"""Pure business rules: money, parsing, rounding, fees, late fees, allocation, shift arithmetic.

Standard library only: no I/O, no clock, no randomness. Import from the modules themselves
(``feetui.core.parse``, ``feetui.core.fees`` ...); errors are ``feetui.core.errors`` types.
"""
