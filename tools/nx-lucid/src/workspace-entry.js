/*
 * How this workspace loads its own plugin (tsconfig.base.json maps @lucid/nx-lucid here): the compiled plugin in
 * dist/ when it was built from exactly the current sources, else the TypeScript sources through Nx's transpiler
 * (3-4 s slower per Nx command), with a warning when dist/ exists but is stale (fresh-module.js). A stale build is
 * never used. Installed packages never come here: their package.json "main" is dist/src/index.js.
 */
'use strict';
module.exports = require('./fresh-module').loadFreshOrSource('index');
