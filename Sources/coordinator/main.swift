// Placeholder entry point until this executable gets real code.
print("coordinator: not implemented yet")
