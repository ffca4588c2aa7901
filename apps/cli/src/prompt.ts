import password from '@inquirer/password';

/** All of stdin as text (for piped secrets and JSON). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A hidden prompt on the terminal (stderr), for secrets. */
export function promptSecret(message: string): Promise<string> {
  return password({ message, mask: '*' }, { output: process.stderr });
}
