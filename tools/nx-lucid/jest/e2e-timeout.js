/* E2e specs run real builds, registries and Nx processes: 20 minutes per test is a hang guard on a loaded machine, not a budget. */
jest.setTimeout(1_200_000);
