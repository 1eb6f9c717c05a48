import { readPyprojectVersion, writePyprojectVersion } from './pyproject-version';

const pep621 = `# service\n[build-system]\nrequires = ["hatchling"]\nversion = "9.9.9"\n\n[project]\nname = "auth-service"\nversion = "1.0.0"  # bumped by nx release\ndescription = "x"\n`;

describe('pyproject version', () => {
  it('reads [project] version, not another table’s', () => {
    expect(readPyprojectVersion(pep621, 'p')).toEqual({ version: '1.0.0', table: 'project' });
  });
  it('rewrites only the version, keeping comments and layout', () => {
    const out = writePyprojectVersion(pep621, 'p', '1.1.0');
    expect(out).toBe(pep621.replace('version = "1.0.0"', 'version = "1.1.0"'));
    expect(readPyprojectVersion(out, 'p').version).toBe('1.1.0');
  });
  it('falls back to [tool.poetry]', () => {
    expect(readPyprojectVersion(`[tool.poetry]\nname = "x"\nversion = '0.3.0'\n`, 'p')).toEqual({
      version: '0.3.0',
      table: 'tool.poetry',
    });
  });
  it('says when the version is dynamic or missing', () => {
    expect(() =>
      readPyprojectVersion(`[project]\nname = "x"\ndynamic = ["version"]\n`, 'apps/x/pyproject.toml'),
    ).toThrow(/apps\/x\/pyproject.toml: .*dynamic/);
    expect(() => writePyprojectVersion(`[project]\nname = "x"\n`, 'p', '1.0.0')).toThrow(/no static version/);
  });
});
