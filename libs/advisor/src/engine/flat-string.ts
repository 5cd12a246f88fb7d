/**
 * Returns `text` after making V8 store it as one flat string. Rules write messages and
 * remediations with template literals, which V8 keeps as ropes (a node per piece) until
 * something reads them whole. That was JSON.stringify at the end of a scan: the flat copies it
 * made, held by the findings, went to the old generation and on a 20,000-app scan forced a
 * full collection over the whole heap. Flattened as the finding is made, the rope's pieces
 * die young (about 0.5 s less CPU per scan there).
 */
export function flatString(text: string): string {
  // Number() reads the whole string, which flattens it; the number itself is not needed.
  Number(text);
  return text;
}
