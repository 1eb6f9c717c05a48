/**
 * The version in a pyproject.toml: `[project] version = "…"` (PEP 621), else `[tool.poetry] version`.
 * Read and rewritten in place, so comments and layout survive a release. Pure.
 */
const TABLES = ['project', 'tool.poetry'] as const;

interface VersionSpan {
  table: string;
  version: string;
  /** Offsets of the version string's contents (inside the quotes). */
  start: number;
  end: number;
}

function findVersion(text: string): VersionSpan | undefined {
  const header = /^\s*\[([^\]\n]+)\]\s*(?:#.*)?$/gm;
  const sections: Array<{ name: string; from: number; to: number }> = [];
  let m: RegExpExecArray | null;
  while ((m = header.exec(text)) !== null) {
    if (sections.length) sections[sections.length - 1].to = m.index;
    sections.push({ name: m[1].trim(), from: m.index + m[0].length, to: text.length });
  }
  for (const table of TABLES) {
    const s = sections.find((x) => x.name === table);
    if (!s) continue;
    const body = text.slice(s.from, s.to);
    const v = /^[ \t]*version[ \t]*=[ \t]*(["'])([^"'\n]*)\1/m.exec(body);
    if (!v) continue;
    const start = s.from + v.index + v[0].length - 1 - v[2].length;
    return { table, version: v[2], start, end: start + v[2].length };
  }
  return undefined;
}

export function readPyprojectVersion(text: string, file: string): { version: string; table: string } {
  const found = findVersion(text);
  if (!found) {
    const dynamic = /^\s*dynamic\s*=.*["']version["']/m.test(text);
    throw new Error(
      `${file}: no static version in [project] or [tool.poetry]${dynamic ? ' (it is dynamic; nx release needs a static version)' : ''}`,
    );
  }
  return { version: found.version, table: found.table };
}

export function writePyprojectVersion(text: string, file: string, version: string): string {
  const found = findVersion(text);
  if (!found) throw new Error(`${file}: no static version in [project] or [tool.poetry] to update`);
  return text.slice(0, found.start) + version + text.slice(found.end);
}
