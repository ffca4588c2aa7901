/**
 * The deepest nesting of arrays and objects in JSON text (strings do not count), scanning no
 * further than the first point deeper than `stopAbove`. Raw handler results are built with
 * QuickJS's native `JSON.stringify`, which has no depth limit of its own (only the sandbox
 * stack); this keeps them within the encoder's limit without parsing them.
 */
function nesting(text: string, stopAbove: number): number {
  let depth = 0;
  let deepest = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Jump to the closing quote: one preceded by an even run of backslashes.
      let j = i;
      for (;;) {
        j = text.indexOf('"', j + 1);
        if (j === -1) return deepest;
        let b = j - 1;
        while (text.charCodeAt(b) === 0x5c /* \ */) b--;
        if ((j - 1 - b) % 2 === 0) break;
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return deepest;
}

/** Whether JSON text nests arrays and objects deeper than `limit`. */
export function jsonNestingExceeds(text: string, limit: number): boolean {
  return nesting(text, limit) > limit;
}

/** The deepest nesting of arrays and objects in JSON text (strings do not count). */
export function jsonNesting(text: string): number {
  return nesting(text, Infinity);
}
