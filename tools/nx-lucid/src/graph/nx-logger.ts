/**
 * Nx's logger for the graph hooks, loaded only when there is something to say: @nx/devkit's `logger` is this
 * same object (nx/src/utils/logger: bold yellow through console.warn, the daemon's log on the daemon), but
 * importing @nx/devkit costs every graph computation ~60 ms of module loading for a warning that rarely comes.
 */
import type { logger as NxLogger } from '@nx/devkit';

export function warn(message: string): void {
  (require('nx/src/utils/logger') as { logger: typeof NxLogger }).logger.warn(message);
}
