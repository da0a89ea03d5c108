"""The sync engine, its state store and the runner: what `mapc run` executes."""
