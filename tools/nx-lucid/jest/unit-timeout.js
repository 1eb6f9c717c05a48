/* Unit specs: 2 minutes per test, a hang guard. */
jest.setTimeout(120_000);
