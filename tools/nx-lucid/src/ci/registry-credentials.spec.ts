import { parse } from 'yaml';
import { lookupCredentials } from '../registry/docker-credentials';
import { CONTAINERS_WORKFLOW, generateWorkflows, RELEASE_WORKFLOW } from './workflows';
import { ciInput } from './test-support';

type Step = { name?: string; uses?: string; run?: string; env?: Record<string, string> };
type Workflow = { jobs: Record<string, { steps: Step[] }> };

/** The step that runs the push (or release publish) target, in each job that has one. */
function pushingSteps(file: string, registry: string, registries?: string[]): Step[] {
  const wf = parse(generateWorkflows(ciInput({ registry, ...(registries ? { registries } : {}) }))[file]) as Workflow;
  return Object.values(wf.jobs).flatMap((j) =>
    j.steps.filter((s) => /container-push|release publish/.test(s.run ?? '') || /-t \S*push/.test(s.run ?? '')),
  );
}

describe('registry credentials in the generated workflows', () => {
  for (const file of [CONTAINERS_WORKFLOW, RELEASE_WORKFLOW]) {
    it(`${file}: a non-GHCR registry gets the LUCID_REGISTRY_<HOST>_* pair the executor reads, and no GitHub token`, () => {
      const steps = pushingSteps(file, 'registry.example.com');
      expect(steps.length).toBeGreaterThan(0);
      for (const s of steps) {
        expect(s.env).toMatchObject({
          LUCID_REGISTRY_REGISTRY_EXAMPLE_COM_USERNAME: '${{ secrets.LUCID_REGISTRY_USERNAME }}',
          LUCID_REGISTRY_REGISTRY_EXAMPLE_COM_PASSWORD: '${{ secrets.LUCID_REGISTRY_PASSWORD }}',
        });
        expect(JSON.stringify(s.env)).not.toMatch(/GITHUB_TOKEN|GHCR_TOKEN/);
        // What the workflow sets is what the executor reads for that registry (the secrets stand in for values).
        const env = Object.fromEntries(Object.entries(s.env!).map(([k, v]) => [k, v.replace(/\W/g, '')]));
        expect(lookupCredentials('registry.example.com', env, undefined)).toMatchObject({
          kind: 'inline',
          credentials: { username: 'secretsLUCID_REGISTRY_USERNAME', password: 'secretsLUCID_REGISTRY_PASSWORD' },
        });
      }
    });

    it(`${file}: ghcr.io gets GHCR_TOKEN from the job's GITHUB_TOKEN`, () => {
      for (const s of pushingSteps(file, 'ghcr.io'))
        expect(s.env).toMatchObject({ GHCR_TOKEN: '${{ secrets.GITHUB_TOKEN }}' });
    });
  }

  for (const file of [CONTAINERS_WORKFLOW, RELEASE_WORKFLOW]) {
    it(`${file}: with several registries, each gets its own pair (secrets named like the variables), ghcr.io its token`, () => {
      const registries = ['ghcr.io', 'registry.example.com', 'quay.io'];
      const steps = pushingSteps(file, 'ghcr.io', registries);
      expect(steps.length).toBeGreaterThan(0);
      for (const s of steps) {
        expect(s.env).toMatchObject({
          GHCR_TOKEN: '${{ secrets.GITHUB_TOKEN }}',
          LUCID_REGISTRY_REGISTRY_EXAMPLE_COM_USERNAME: '${{ secrets.LUCID_REGISTRY_REGISTRY_EXAMPLE_COM_USERNAME }}',
          LUCID_REGISTRY_REGISTRY_EXAMPLE_COM_PASSWORD: '${{ secrets.LUCID_REGISTRY_REGISTRY_EXAMPLE_COM_PASSWORD }}',
          LUCID_REGISTRY_QUAY_IO_USERNAME: '${{ secrets.LUCID_REGISTRY_QUAY_IO_USERNAME }}',
          LUCID_REGISTRY_QUAY_IO_PASSWORD: '${{ secrets.LUCID_REGISTRY_QUAY_IO_PASSWORD }}',
        });
        const env = Object.fromEntries(Object.entries(s.env!).map(([k, v]) => [k, v.replace(/\W/g, '')]));
        expect(lookupCredentials('quay.io', env, undefined)).toMatchObject({
          kind: 'inline',
          credentials: { username: 'secretsLUCID_REGISTRY_QUAY_IO_USERNAME' },
        });
      }
    });
  }
});
