"""Docks and dialogs: they call the rest and hold no logic."""
