/** Run only by e2e/external-requirements.spec.ts in a child Jest: one suite needing $PROBE_PATH. */
import { describeWhenAvailable } from '../external-requirements';

describeWhenAvailable([{ what: 'the probe file', paths: [process.env.PROBE_PATH ?? ''], howTo: 'create it' }])(
  'probe suite',
  () => {
    it('runs', () => expect(process.env.PROBE_PATH).toBeTruthy());
  },
);
