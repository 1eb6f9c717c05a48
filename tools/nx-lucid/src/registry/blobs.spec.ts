import { offsetFromRange } from './blobs';

describe('offsetFromRange (distribution upload status)', () => {
  it('reads 0-N as N+1 bytes received, and 0-0 (an empty session, or 1 byte) as byte 0', () => {
    expect(offsetFromRange('0-1048575')).toBe(1048576);
    expect(offsetFromRange('bytes=0-99')).toBe(100);
    expect(offsetFromRange('0-0')).toBe(0);
    expect(offsetFromRange(null)).toBe(0);
    expect(offsetFromRange('5-9')).toBe(0);
  });
});
