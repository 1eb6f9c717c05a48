/* Unit specs sit beside the code; end-to-end specs (real registry, real builder) live in e2e/. */
module.exports = {
  displayName: 'nx-lucid',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/e2e/**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', isolatedModules: true, diagnostics: false }],
  },
  moduleNameMapper: { '^@lucid/nx-lucid$': '<rootDir>/src/index.ts', '^@lucid/nx-lucid/(.*)$': '<rootDir>/src/$1' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 120000,
};
