"""Pure business rules: money, fees, allocation, capitals, shifts. Standard library only."""
