// Placeholder entry point until this executable gets real code.
print("worker: not implemented yet")
