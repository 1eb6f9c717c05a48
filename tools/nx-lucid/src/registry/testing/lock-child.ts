/** A separate process taking a blob lock (as a parallel Nx task would): prints got/busy; a holder keeps it until the release file appears. */
import { existsSync } from 'node:fs';
import { UploadState } from '../upload-state';

const [stateDir, digest, repository, releaseFile] = process.argv.slice(2);
const state = new UploadState(stateDir, '127.0.0.1:5000');
const got = state.tryLock(digest, repository);
process.stdout.write(`${got ? 'got' : 'busy'}\n`);
if (got) {
  const timer = setInterval(() => {
    if (!existsSync(releaseFile)) return;
    clearInterval(timer);
    state.unlock(digest);
  }, 50);
}
