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
