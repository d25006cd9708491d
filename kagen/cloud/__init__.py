"""The cloud side: the resource model (VPCs, vSwitches, HAVIPs, clusters) and the providers'
facts and limits, as data files with their sources."""
