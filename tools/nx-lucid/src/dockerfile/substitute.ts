const VAR = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** True when the text names a variable ($X or ${X…}) that Docker would expand. */
export function hasVariable(text: string): boolean {
  return new RegExp(VAR.source).test(text);
}

/**
 * Substitutes $VAR, ${VAR}, ${VAR:-word}, ${VAR-word}, ${VAR:+word}, ${VAR+word} as Docker does.
 * A name mapped to undefined is declared but unknown (an ARG without default: a build arg may set it).
 * `complete` says the map is the whole scope, so an absent name is unset (Docker expands it to "");
 * otherwise an absent name may come from the base image. Returns null when the result depends on an unknown.
 */
export function substitute(text: string, vars: Record<string, string | undefined>, complete = false): string | null {
  let unresolved = false;
  const out = text.replace(
    VAR,
    (whole, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare!;
      const declared = Object.prototype.hasOwnProperty.call(vars, name);
      const isSet = declared ? vars[name] !== undefined : complete ? false : undefined;
      if (isSet === undefined || (declared && vars[name] === undefined)) {
        unresolved = true;
        return whole;
      }
      const value = isSet ? vars[name]! : '';
      if (op === ':-') return value !== '' ? value : (word ?? '');
      if (op === '-') return isSet ? value : (word ?? '');
      if (op === ':+') return value !== '' ? (word ?? '') : '';
      if (op === '+') return isSet ? (word ?? '') : '';
      return value;
    },
  );
  return unresolved ? null : out;
}
