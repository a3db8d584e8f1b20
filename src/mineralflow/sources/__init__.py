"""Readers: each turns one kind of input into ledger rows (sources, figures, flows, events)."""
