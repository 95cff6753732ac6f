// Placeholder until this module gets real code; replace me.
