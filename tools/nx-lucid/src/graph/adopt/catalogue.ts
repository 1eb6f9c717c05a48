/**
 * The seed's 29 services (phase-based build workflows: auth-service … tron-payment-gateway), with where a
 * repository keeps each one's Dockerfile: this workspace's apps/<name>/Dockerfile, then the Lucid repository's
 * own locations (its plan/disto/LUCID_35_IMAGES_DOCKERFILE_MAPPING.md first, then infrastructure/containers/).
 * The init generator maps each service to the first candidate that exists; nx.json can replace the list
 * (generators["@lucid/nx-lucid:init"].catalogue).
 */
import { z } from 'zod';

export const catalogueEntrySchema = z
  .object({
    name: z.string().min(1),
    phase: z.number().int().min(1),
    scope: z.string().min(1),
    /** Workspace-relative Dockerfile paths, most likely first. */
    dockerfiles: z.array(z.string()).min(1),
  })
  .strict();
export type CatalogueEntry = z.infer<typeof catalogueEntrySchema>;

const IC = 'infrastructure/containers';
const TRON = 'payment_systems/tron';
const entry = (name: string, phase: number, scope: string, ...dockerfiles: string[]): CatalogueEntry => ({
  name,
  phase,
  scope,
  dockerfiles: [`apps/${name}/Dockerfile`, ...dockerfiles],
});

export const SEED_CATALOGUE: CatalogueEntry[] = [
  entry('auth-service', 1, 'auth', 'auth/Dockerfile', `${IC}/auth/Dockerfile.auth-service`),
  entry(
    'storage-database',
    1,
    'storage',
    `${IC}/storage/Dockerfile.storage`,
    `${IC}/database/Dockerfile.database`,
    'infrastructure/docker/multi-stage/Dockerfile.storage',
  ),
  entry('mongodb', 1, 'storage', `${IC}/storage/Dockerfile.mongodb`, `${IC}/database/Dockerfile.mongodb`),
  entry('redis', 1, 'storage', `${IC}/storage/Dockerfile.redis`, `${IC}/database/Dockerfile.redis`),
  entry(
    'elasticsearch',
    1,
    'storage',
    `${IC}/storage/Dockerfile.elasticsearch`,
    `${IC}/database/Dockerfile.elasticsearch`,
  ),
  entry(
    'api-gateway',
    2,
    'gateway',
    '03_api_gateway/Dockerfile',
    '03-api-gateway/Dockerfile',
    '03_api_gateway/gateway/Dockerfile',
  ),
  entry('blockchain-core', 2, 'blockchain', 'blockchain/api/Dockerfile', 'build/multi-stage/Dockerfile.blockchain'),
  entry('blockchain-engine', 2, 'blockchain', 'blockchain/Dockerfile.engine', `${IC}/blockchain/Dockerfile.engine`),
  entry('session-anchoring', 2, 'blockchain', 'blockchain/Dockerfile.anchoring', `${IC}/sessions/Dockerfile.anchoring`),
  entry('block-manager', 2, 'blockchain', 'blockchain/Dockerfile.manager', `${IC}/blockchain/Dockerfile.block-manager`),
  entry('data-chain', 2, 'blockchain', 'blockchain/Dockerfile.data', `${IC}/blockchain/Dockerfile.data`),
  entry(
    'service-mesh-controller',
    2,
    'mesh',
    'service_mesh/Dockerfile',
    'service-mesh/Dockerfile',
    'infrastructure/service_mesh/Dockerfile.controller',
    `${IC}/server/Dockerfile.service-mesh-controller`,
  ),
  entry(
    'session-pipeline',
    3,
    'sessions',
    'sessions/Dockerfile.pipeline',
    `${IC}/sessions/Dockerfile.session-pipeline`,
  ),
  entry('session-recorder', 3, 'sessions', 'sessions/Dockerfile.recorder', 'apps/recorder/Dockerfile'),
  entry(
    'session-processor',
    3,
    'sessions',
    'sessions/Dockerfile.processor',
    `${IC}/sessions/Dockerfile.chunk-processor`,
  ),
  entry(
    'session-storage',
    3,
    'sessions',
    'sessions/Dockerfile.storage',
    `${IC}/sessions/Dockerfile.session-storage-service`,
  ),
  entry(
    'session-api',
    3,
    'sessions',
    'sessions/Dockerfile.api',
    'sessions/api/Dockerfile',
    `${IC}/sessions/Dockerfile.api`,
  ),
  entry('rdp-server-manager', 3, 'rdp', 'RDP/Dockerfile.server-manager', `${IC}/server/Dockerfile.rdp-server-manager`),
  entry('rdp-xrdp', 3, 'rdp', 'RDP/Dockerfile.xrdp'),
  entry('rdp-controller', 3, 'rdp', 'RDP/Dockerfile.controller', 'RDP/Dockerfile.rdp-controller'),
  entry('rdp-monitor', 3, 'rdp', 'RDP/Dockerfile.monitor'),
  entry(
    'node-management',
    3,
    'nodes',
    'node/Dockerfile',
    'node/Dockerfile.node-management',
    `${IC}/node/Dockerfile.node-management`,
  ),
  entry('admin-interface', 4, 'admin', 'admin/Dockerfile', 'electron_gui/distroless/Dockerfile.admin'),
  entry(
    'tron-client',
    4,
    'tron',
    `${TRON}/Dockerfile.tron-client`,
    'payment-systems/tron/Dockerfile.tron-client',
    'infrastructure/docker/payment-systems/Dockerfile.tron-client',
  ),
  entry(
    'tron-payout-router',
    4,
    'tron',
    `${TRON}/Dockerfile.payout-router`,
    'payment-systems/tron/Dockerfile.payout-router',
  ),
  entry(
    'tron-wallet-manager',
    4,
    'tron',
    `${TRON}/Dockerfile.wallet-manager`,
    'payment-systems/tron/Dockerfile.wallet-manager',
  ),
  entry(
    'tron-usdt-manager',
    4,
    'tron',
    `${TRON}/Dockerfile.usdt-manager`,
    'payment-systems/tron/Dockerfile.usdt-manager',
  ),
  entry('tron-staking', 4, 'tron', `${TRON}/Dockerfile.trx-staking`, 'payment-systems/tron/Dockerfile.trx-staking'),
  entry(
    'tron-payment-gateway',
    4,
    'tron',
    `${TRON}/Dockerfile.payment-gateway`,
    'payment-systems/tron/Dockerfile.payment-gateway',
  ),
];
