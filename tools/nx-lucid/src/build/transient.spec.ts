import { ProcessError } from '../boundary/process';
import { transientStorageError } from './transient';

describe('transientStorageError', () => {
  it("names buildah's lost overlay mount point", () => {
    const stderr =
      'STEP 2/4: COPY apps/x /app\nError: chdir /tmp/lucid-build-x-1/storage/root/overlay/3f1c9a/merged: no such file or directory\n';
    expect(transientStorageError(new ProcessError('buildah … failed (exit 125)', 125, '', stderr))).toBe(
      'Error: chdir /tmp/lucid-build-x-1/storage/root/overlay/3f1c9a/merged: no such file or directory',
    );
  });
  it('leaves real build errors alone', () => {
    expect(
      transientStorageError(
        new ProcessError('failed', 1, '', 'COPY failed: file not found in build context: apps/x/missing'),
      ),
    ).toBeUndefined();
    expect(transientStorageError(new Error('open /etc/x: no such file or directory'))).toBeUndefined();
  });
});
