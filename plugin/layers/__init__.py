"""QGIS glue: layers, forms, styles, expression functions."""
