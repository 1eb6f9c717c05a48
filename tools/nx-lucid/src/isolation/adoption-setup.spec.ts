import { isolationSetup } from './adoption-setup';

const catalogue = [
  { name: 'tron-client', phase: 4, scope: 'tron', dockerfiles: ['pay/tron/Dockerfile.client'] },
  { name: 'engine', phase: 2, scope: 'blockchain', dockerfiles: ['mixed/Dockerfile.engine'] },
  { name: 'recorder', phase: 3, scope: 'sessions', dockerfiles: ['mixed/Dockerfile.recorder'] },
  { name: 'admin', phase: 4, scope: 'admin', dockerfiles: ['admin/Dockerfile'] },
];
const mapped = catalogue.map((c) => ({
  service: c.name,
  dockerfile: c.dockerfiles[0],
  variant: c.dockerfiles[0].includes('Dockerfile.'),
}));

describe('the isolation check init sets up', () => {
  it('tags the folders of mapped variants that hold one scope; the rules this workspace keeps, for services', () => {
    const setup = isolationSetup(mapped, catalogue, 'stage:')!;
    // mixed/ holds two scopes; admin/ is a folder project, tagged itself.
    expect(setup.pathTags).toEqual({ 'pay/tron': ['scope:tron'] });
    expect(setup.rules).toEqual([
      {
        name: 'tron-services-are-phase-4',
        sourceTag: 'scope:tron',
        onlyFor: ['type:service'],
        requireTags: ['stage:4'],
      },
      {
        name: 'only-tron-and-payment-reach-tron',
        sourceTag: 'type:service',
        except: ['scope:tron', 'scope:payment'],
        notDependOnTransitively: ['scope:tron'],
      },
      { name: 'blockchain-never-reaches-tron', sourceTag: 'scope:blockchain', notDependOnTransitively: ['scope:tron'] },
    ]);
  });

  it('none when no TRON service was mapped (the rules would match nothing)', () => {
    expect(isolationSetup(mapped.slice(1), catalogue, 'phase:')).toBeUndefined();
  });
});
