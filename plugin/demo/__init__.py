"""Demo data: a realistic, seeded data set calibrated on the Dihal's published figures."""
