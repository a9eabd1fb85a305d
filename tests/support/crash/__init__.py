"""The crash suite's parts (tests/crash): hosts killed and started again, careful
clients, stand-ins for the providers that count what each of our messages cost them, the
workload and the checks made after it."""
