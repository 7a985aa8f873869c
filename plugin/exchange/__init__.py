"""Exchanges with spreadsheets: .xlsx export of the store and import of site lists.

The .xlsx files are written and read with the standard library only (zipfile
and XML), so that the plugin installs with the standard QGIS installers,
which do not ship openpyxl or XlsxWriter.
"""
