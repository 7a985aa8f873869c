"""Résorption SIG: the census of bidonvilles, squats and camps, and the terrains d'insertion, in QGIS."""
