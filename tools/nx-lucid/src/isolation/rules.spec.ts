import { evaluateRules, IsolationRuleInput, isolationRuleSchema, reachable, TagGraph, unmatchedRules } from './rules';

/** The rules the root project.json configures, restated so a change there is a deliberate one. */
const TRON_RULES: IsolationRuleInput[] = [
  { name: 'tron-services-are-phase-4', sourceTag: 'scope:tron', onlyFor: 'type:service', requireTags: ['phase:4'] },
  {
    name: 'tron-is-isolated',
    sourceTag: '*',
    except: ['scope:tron', 'scope:payment'],
    notDependOnTransitively: ['scope:tron'],
  },
  { name: 'blockchain-never-reaches-tron', sourceTag: 'scope:blockchain', notDependOnTransitively: ['scope:tron'] },
];
const rules = TRON_RULES.map((r) => isolationRuleSchema.parse(r));

function graph(projects: Record<string, string[]>, deps: Record<string, string[]>): TagGraph {
  return {
    projects: Object.fromEntries(Object.entries(projects).map(([n, tags]) => [n, { tags }])),
    dependencies: deps,
  };
}

const base = {
  'tron-common': ['scope:tron', 'type:lib'],
  'lucid-common': ['scope:shared', 'type:lib'],
  'blockchain-common': ['scope:blockchain', 'type:lib'],
  'tron-client': ['phase:4', 'scope:tron', 'type:service'],
  'block-manager': ['phase:2', 'scope:blockchain', 'type:service'],
  payout: ['phase:4', 'scope:payment', 'type:service'],
  'api-gateway': ['phase:2', 'scope:gateway', 'type:service'],
};
const baseDeps = {
  'tron-client': ['lucid-common', 'tron-common'],
  'block-manager': ['lucid-common', 'blockchain-common'],
  payout: ['tron-common'],
  'api-gateway': ['lucid-common'],
};

describe('evaluateRules', () => {
  it('passes a workspace shaped like the real one (tron lib without a phase, payment may use tron)', () => {
    expect(evaluateRules(graph(base, baseDeps), rules)).toEqual([]);
  });

  it('a tron service tagged phase:2 violates the phase rule; the tron lib has no phase and is exempt', () => {
    const g = graph({ ...base, 'tron-staking': ['phase:2', 'scope:tron', 'type:service'] }, baseDeps);
    expect(evaluateRules(g, rules)).toEqual([
      {
        rule: 'tron-services-are-phase-4',
        project: 'tron-staking',
        path: ['tron-staking'],
        message: 'tron-staking lacks phase:4 (its tags: phase:2, scope:tron, type:service)',
      },
    ]);
  });

  it('a blockchain service reaching tron through a shared lib fails both rules with the full path', () => {
    const g = graph(base, {
      ...baseDeps,
      'block-manager': ['blockchain-common'],
      'blockchain-common': ['lucid-common'],
      'lucid-common': ['tron-common'],
    });
    const v = evaluateRules(g, rules);
    expect(v.map((x) => [x.rule, x.message])).toEqual([
      ['tron-is-isolated', 'api-gateway → lucid-common → tron-common (tron-common is tagged scope:tron)'],
      [
        'tron-is-isolated',
        'block-manager → blockchain-common → lucid-common → tron-common (tron-common is tagged scope:tron)',
      ],
      ['tron-is-isolated', 'blockchain-common → lucid-common → tron-common (tron-common is tagged scope:tron)'],
      ['tron-is-isolated', 'lucid-common → tron-common (tron-common is tagged scope:tron)'],
      [
        'blockchain-never-reaches-tron',
        'block-manager → blockchain-common → lucid-common → tron-common (tron-common is tagged scope:tron)',
      ],
      [
        'blockchain-never-reaches-tron',
        'blockchain-common → lucid-common → tron-common (tron-common is tagged scope:tron)',
      ],
    ]);
    expect(v[1].path).toEqual(['block-manager', 'blockchain-common', 'lucid-common', 'tron-common']);
  });

  it('blockchain may not reach tron even through a payment project, which itself is allowed to', () => {
    const g = graph(base, { ...baseDeps, 'block-manager': ['payout'] });
    expect(evaluateRules(g, rules).map((v) => `${v.rule}: ${v.message}`)).toEqual([
      'tron-is-isolated: block-manager → payout → tron-common (tron-common is tagged scope:tron)',
      'blockchain-never-reaches-tron: block-manager → payout → tron-common (tron-common is tagged scope:tron)',
    ]);
  });

  it('takes the shortest path and survives cycles', () => {
    const g = graph(
      { a: ['scope:x'], b: [], c: [], t: ['scope:tron'] },
      { a: ['b', 'c'], b: ['c', 'a'], c: ['t', 'a'] },
    );
    expect(reachable(g, 'a').get('t')).toEqual(['a', 'c', 't']);
    expect(
      evaluateRules(g, [isolationRuleSchema.parse({ sourceTag: 'scope:x', notDependOnTransitively: ['scope:tron'] })]),
    ).toEqual([
      {
        rule: 'scope:x: notDependOnTransitively scope:tron',
        project: 'a',
        path: ['a', 'c', 't'],
        message: 'a → c → t (t is tagged scope:tron)',
      },
    ]);
  });

  it('onlyDependOnTransitively allows listed tags only, and skips untagged external nodes', () => {
    const g = graph(
      { svc: ['scope:blockchain'], lib: ['scope:shared'], other: ['scope:rdp'] },
      { svc: ['lib', 'npm:left-pad'], lib: ['other'] },
    );
    const rule = isolationRuleSchema.parse({
      sourceTag: 'scope:blockchain',
      onlyDependOnTransitively: ['scope:shared', 'scope:blockchain'],
    });
    expect(evaluateRules(g, [rule]).map((v) => v.message)).toEqual([
      'svc → lib → other (other has none of scope:shared, scope:blockchain; its tags: scope:rdp)',
    ]);
  });
});

describe('isolationRuleSchema', () => {
  it('rejects a rule that checks nothing and unknown keys', () => {
    expect(isolationRuleSchema.safeParse({ sourceTag: 'scope:tron' }).success).toBe(false);
    expect(
      isolationRuleSchema.safeParse({ sourceTag: 'scope:tron', requireTags: ['phase:4'], onlyDependOnLibsWithTags: [] })
        .success,
    ).toBe(false);
  });

  it('reports rules that match no project (a typo would otherwise pass forever)', () => {
    const typo = isolationRuleSchema.parse({ sourceTag: 'scope:torn', requireTags: ['phase:4'] });
    expect(unmatchedRules(graph(base, baseDeps), [...rules, typo])).toEqual([typo]);
  });
});
