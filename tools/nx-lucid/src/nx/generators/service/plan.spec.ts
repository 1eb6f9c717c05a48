import { addProjectConfiguration, Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { planService, serviceNameProblem } from './plan';

describe('serviceNameProblem', () => {
  it.each([
    ['billing-service', null],
    ['', 'the name is empty'],
    ['Billing', 'it contains uppercase letters (image names must be lowercase)'],
    ['../x', 'it contains a path separator or ".."'],
    ['9lives', 'it starts with a digit'],
    ['a--b', 'it contains consecutive dashes'],
    ['a-', 'it ends with a dash'],
    ['a_b', 'it contains characters other than a-z, 0-9 and -'],
  ])('%j: %j', (name, problem) => expect(serviceNameProblem(name)).toBe(problem));
});

describe('planService', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    addProjectConfiguration(tree, 'lucid-common', { root: 'libs/lucid-common' });
    tree.write('libs/lucid-common/src/lucid_common/__init__.py', '');
    addProjectConfiguration(tree, 'tron-common', { root: 'libs/tron-common' });
    tree.write('libs/tron-common/src/__init__.py', '');
    addProjectConfiguration(tree, 'auth-service', { root: 'apps/auth-service' });
  });

  it('defaults scope and description; copies <scope>-common only when the workspace has its sources', () => {
    expect(planService(tree, { name: 'tron-bridge', scope: 'tron' })).toEqual({
      name: 'tron-bridge',
      scope: 'tron',
      description: 'tron-bridge service',
      root: 'apps/tron-bridge',
      libs: ['lucid-common', 'tron-common'],
      hasLucidCommon: true,
    });
    expect(planService(tree, { name: 'billing' }).libs).toEqual(['lucid-common']);
  });

  it('copies no library a workspace does not have: a project without sources, or none at all', () => {
    const bare = createTreeWithEmptyWorkspace();
    expect(planService(bare, { name: 'hello' })).toMatchObject({ libs: [], hasLucidCommon: false });
    addProjectConfiguration(bare, 'lucid-common', { root: 'libs/lucid-common' });
    expect(planService(bare, { name: 'hello' })).toMatchObject({ libs: [], hasLucidCommon: false });
  });

  it.each([
    [{ name: 'Bad' }, /^invalid service name "Bad": .*Nothing was written\.$/],
    [{ name: 'ok', scope: 'a b' }, /^invalid scope "a b": it contains whitespace; .*e\.g\. payments/],
    [{ name: 'ok', description: 'say "hi"' }, /^invalid description: /],
    [{ name: 'auth-service' }, /a project named "auth-service" already exists \(apps\/auth-service\)/],
  ])('refuses %j', (options, message) => expect(() => planService(tree, options)).toThrow(message));

  it('refuses a name whose folder exists though no project claims it', () => {
    tree.write('apps/orphan/README.md', 'x');
    expect(() => planService(tree, { name: 'orphan' })).toThrow('apps/orphan already exists; choose another name.');
  });
});
