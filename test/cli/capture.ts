// Captures what the CLI writes to stdout and stderr.

export interface Captured {
  stdout: { write(s: string): boolean; isTTY?: boolean; columns?: number };
  stderr: { write(s: string): boolean; isTTY?: boolean; columns?: number };
  out(): string;
  err(): string;
}

export function capture(options: { tty?: boolean } = {}): Captured {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => ((out += s), true), isTTY: options.tty },
    stderr: { write: (s: string) => ((err += s), true), isTTY: options.tty, columns: 80 },
    out: () => out,
    err: () => err,
  };
}

/** Runs `facecore <argv>` in-process with `cwd` as its folder; the exit code and captured output. */
export async function runIn(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { main } = await import('../../src/cli/main.js');
  const c = capture();
  const code = await main(argv, { ...c, cwd });
  return { code, out: c.out(), err: c.err() };
}
