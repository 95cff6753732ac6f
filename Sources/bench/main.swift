// Placeholder entry point until this executable gets real code.
print("bench: not implemented yet")
