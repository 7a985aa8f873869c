"""The Processing provider "Résorption SIG" and its algorithms (QGIS glue over plugin/model)."""
