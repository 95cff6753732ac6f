// Placeholder until this test target gets real tests.
