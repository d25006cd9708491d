"""The cloud side: HAVIP facts and limits, the resource model, importers of existing cloud state."""
