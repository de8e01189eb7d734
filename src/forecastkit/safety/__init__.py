"""Trust and safety helpers: pickle-free state files, hashes, safe class resolution,
run-directory markers, locks and signals."""
