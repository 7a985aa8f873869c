"""Print layouts: the COPIL map (A4/A3), its atlases (per commune, per site) and their PDF."""
