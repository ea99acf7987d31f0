"""After rendering, into the staging folder: fingerprinted assets, the search index, host
files, compression and the link check. Each module is a leaf; `steps.run` runs them in order."""
