module.exports = { projects: ['<rootDir>/tools/nx-lucid/jest.config.js'] };
