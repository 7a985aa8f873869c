"""The custom properties that tie a layer to its store, so that the docks, and a project reopened later, find it."""
TABLE_PROPERTY = "resorption/table"
STORE_PROPERTY = "resorption/store"
