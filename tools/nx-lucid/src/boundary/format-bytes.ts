/** A byte count as people read it (KiB, MiB, …; binary units); `exact` adds the count itself, for deletion reports. */
export function formatBytes(n: number, { exact = false }: { exact?: boolean } = {}): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  for (; v >= 1024 && i < units.length - 1; i++) v /= 1024;
  return exact ? `${v.toFixed(1)} ${units[i]} (${n} bytes)` : `${v.toFixed(v >= 10 ? 0 : 1)} ${units[i]}`;
}
