/**
 * A failed engine run as `<dockerfile>:<line>: <instruction>: <reason>`: the engine's failure site (BuildKit's
 * `Dockerfile:N`, buildah's `STEP n/m` and step text) mapped back onto the Dockerfile with our own parser.
 */
import type { FailureSite } from './engines/engine';
import { formatImageReference, parseImageReference } from '../image/naming';
import { scanHeredocs, unmask } from '../dockerfile/heredoc';
import { DockerInstruction, instructionList } from '../dockerfile/instruction-list';

/** An instruction's text as buildah prints a step: continuation lines joined, whitespace collapsed. */
const stepForm = (text: string, escapeChar: string) =>
  text.split(`${escapeChar}\n`).join(' ').replace(/\s+/g, ' ').trim();

function instructionsOf(content: string, file: string): { list: DockerInstruction[]; escapeChar: string } {
  const scan = scanHeredocs(content.replace(/\r\n?/g, '\n'), file);
  const { instructions, escapeChar } = instructionList(scan.masked);
  return { list: instructions, escapeChar };
}

/** buildah's step: the instruction whose text it is; [stage] STEP n picks among equal ones. */
function stepInstruction(
  site: FailureSite,
  list: DockerInstruction[],
  escapeChar: string,
): DockerInstruction | undefined {
  const want = stepForm(site.stepText ?? '', '\\');
  const matches = list.filter((i) => stepForm(unmask(i.text), escapeChar) === want);
  if (matches.length <= 1 || site.step === undefined) return matches[0];
  const stages: DockerInstruction[][] = [];
  for (const i of list) {
    if (i.keyword === 'FROM') stages.push([]);
    stages[stages.length - 1]?.push(i);
  }
  const named = stages[(site.stage ?? 1) - 1]?.[site.step - 1];
  return named && matches.includes(named) ? named : matches[0];
}

const qualified = (name: string) => {
  try {
    return formatImageReference(parseImageReference(name));
  } catch {
    return name;
  }
};

/** The FROM that names the image an engine could not pull (as written, short names expanded). */
function fromInstruction(image: string, list: DockerInstruction[]): DockerInstruction | undefined {
  const want = qualified(image);
  return list.find(
    (i) => i.keyword === 'FROM' && i.words.some((w) => !w.startsWith('--') && qualified(unmask(w)) === want),
  );
}

/** The first line of a failed build, or undefined when the site is not in this Dockerfile. */
export function failureLine(site: FailureSite, content: string, file: string): string | undefined {
  let list: DockerInstruction[];
  let escapeChar: string;
  try {
    ({ list, escapeChar } = instructionsOf(content, file));
  } catch {
    return undefined;
  }
  const at =
    site.line !== undefined
      ? [...list].reverse().find((i) => i.line <= site.line!)
      : site.stepText !== undefined
        ? stepInstruction(site, list, escapeChar)
        : site.image !== undefined
          ? fromInstruction(site.image, list)
          : undefined;
  if (!at) return undefined;
  const shown = unmask(at.text.split('\n')[0].trim()).replace(new RegExp(`\\s*\\${escapeChar}$`), '');
  const instruction = shown.length > 160 ? `${shown.slice(0, 157)}...` : shown;
  return `${file}:${at.line}: ${instruction}: ${site.reason}`;
}
