/** metadata.json as an artifact, apart from the catalogue: the build reaches it without pulling in scan or push code. */
import { buildMetadataSchema, METADATA_FILE } from './metadata';
import { artifact } from './artifact';

export const METADATA_ARTIFACT = artifact(METADATA_FILE, buildMetadataSchema, 'build metadata');
