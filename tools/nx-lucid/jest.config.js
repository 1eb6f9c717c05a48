/*
 * Unit specs sit beside the code; end-to-end specs (real registry, real builder) live in e2e/.
 * Timeouts are hang guards, not budgets: an e2e spec runs real builds and Nx processes and must still pass
 * on a loaded machine (load average 12+ made 120 s too short), so e2e gets 20 minutes per test. Jest reads
 * testTimeout only globally, so each project sets its own with jest.setTimeout in a setup file.
 */
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', isolatedModules: true, diagnostics: false }],
};
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform,
  moduleNameMapper: { '^@lucid/nx-lucid$': '<rootDir>/src/index.ts', '^@lucid/nx-lucid/(.*)$': '<rootDir>/src/$1' },
  moduleFileExtensions: ['ts', 'js', 'json'],
};
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/jest/unit-timeout.js'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/e2e/**/*.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/jest/e2e-timeout.js'],
    },
  ],
};
