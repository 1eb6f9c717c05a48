// dependency-cruiser: the plugin's import graph (type-only imports included: a type cycle is still a cycle between
// files). `npx depcruise tools/nx-lucid/src` checks it; tools/nx-lucid/src/architecture.spec.ts runs it in npm test
// and adds the folder-level check (no cycle between the top-level folders of src/).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: requiring one of its modules first can see the others half-initialised.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|\\.spec\\.ts$|/__fixtures__/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
