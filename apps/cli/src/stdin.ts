export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** `-` read nothing (or only blanks): a failed `helm template ... |` must not pass as a clean scan. */
export class EmptyStdinError extends Error {
  constructor() {
    super('stdin (-) is empty: nothing to scan (did the command before the pipe fail?)');
  }
}

/** readStdin that refuses empty input. */
export function nonEmptyStdin(read: () => Promise<string>): () => Promise<string> {
  return async () => {
    const text = await read();
    if (text.trim() === '') throw new EmptyStdinError();
    return text;
  };
}
