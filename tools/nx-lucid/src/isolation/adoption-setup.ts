/**
 * The isolation check init sets up when it maps the seed's TRON services: the rules this workspace keeps in its
 * root project.json (TRON services are phase 4; no other service's image holds TRON files or images; blockchain
 * never does), and tags for the folders of the mapped variant Dockerfiles, whose other files no tagged project owns.
 */
import { posix } from 'node:path';
import type { IsolationRuleInput } from './rules';
import type { CatalogueEntry } from '../graph/adopt/catalogue';

export interface IsolationSetup {
  rules: IsolationRuleInput[];
  pathTags: Record<string, string[]>;
}

export const ISOLATION_TARGET = 'isolation';

export function isolationRules(phaseTagPrefix: string): IsolationRuleInput[] {
  return [
    {
      name: 'tron-services-are-phase-4',
      sourceTag: 'scope:tron',
      onlyFor: ['type:service'],
      requireTags: [`${phaseTagPrefix}4`],
    },
    {
      name: 'only-tron-and-payment-reach-tron',
      sourceTag: 'type:service',
      except: ['scope:tron', 'scope:payment'],
      notDependOnTransitively: ['scope:tron'],
    },
    { name: 'blockchain-never-reaches-tron', sourceTag: 'scope:blockchain', notDependOnTransitively: ['scope:tron'] },
  ];
}

/** The setup, or undefined when no TRON service was mapped (the rules would match nothing). */
export function isolationSetup(
  mapped: ReadonlyArray<{ service: string; dockerfile: string; variant: boolean }>,
  catalogue: readonly CatalogueEntry[],
  phaseTagPrefix: string,
): IsolationSetup | undefined {
  const scopeOf = new Map(catalogue.map((c) => [c.name, c.scope]));
  if (!mapped.some((m) => scopeOf.get(m.service) === 'tron')) return undefined;
  // A folder of variants is tagged only when every service mapped in it has the same scope.
  const scopes = new Map<string, Set<string>>();
  for (const m of mapped) {
    const folder = posix.dirname(m.dockerfile);
    if (!m.variant || folder === '.') continue;
    scopes.set(folder, (scopes.get(folder) ?? new Set()).add(scopeOf.get(m.service)!));
  }
  const pathTags: Record<string, string[]> = {};
  for (const [folder, s] of [...scopes].sort(([a], [b]) => (a < b ? -1 : 1)))
    if (s.size === 1) pathTags[folder] = [`scope:${[...s][0]}`];
  return { rules: isolationRules(phaseTagPrefix), pathTags };
}
