// What every subcommand shares: --json output, a progress bar on a TTY (quiet otherwise),
// warnings, and one-line error messages with a non-zero exit code.

/** Bad command line: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure the user can act on (missing file, no face, wrong index dim): exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface Writable {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Streams {
  stdout: Writable;
  stderr: Writable;
}

export interface Progress {
  update(done: number): void;
  done(): void;
}

/**
 * Text made safe for one terminal line: control characters (newlines, escape sequences, C1),
 * line/paragraph separators and bidi overrides are written as \n or \u{..} escapes, so a file
 * name cannot forge lines or recolour the terminal.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u{${c.codePointAt(0)!.toString(16)}}`;
  });
}

const QUIET: Progress = { update() {}, done() {} };

export class Output {
  readonly json: boolean;
  private readonly streams: Streams;
  private barShown = false;

  constructor(streams: Streams, options: { json?: boolean } = {}) {
    this.streams = streams;
    this.json = options.json ?? false;
  }

  /** Human text on stdout; suppressed under --json. */
  line(text = ''): void {
    if (!this.json) this.streams.stdout.write(text + '\n');
  }

  /** The machine-readable result (only under --json): one JSON document on stdout. */
  result(value: unknown): void {
    if (this.json) this.streams.stdout.write(JSON.stringify(value, jsonReplacer, 2) + '\n');
  }

  /** A warning on stderr (also under --json, which keeps stdout parseable). */
  warn(text: string): void {
    this.clearBar();
    this.streams.stderr.write(`warning: ${printable(text)}\n`);
  }

  /** Whether progress() draws a bar (stderr is a TTY and not --json); else a long wait may print lines. */
  get drawsBars(): boolean {
    return !this.json && this.streams.stderr.isTTY === true;
  }

  /** A progress bar on stderr when it is a TTY and not --json; otherwise silent. */
  progress(label: string, total: number): Progress {
    const err = this.streams.stderr;
    if (this.json || !err.isTTY || total <= 0) return QUIET;
    const draw = (done: number) => {
      const width = Math.max(10, Math.min(40, (err.columns ?? 80) - label.length - 20));
      const filled = Math.round((done / total) * width);
      err.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`);
      this.barShown = true;
    };
    draw(0);
    return {
      update: draw,
      done: () => this.clearBar(),
    };
  }

  private clearBar(): void {
    if (this.barShown) {
      this.streams.stderr.write('\r\x1b[K');
      this.barShown = false;
    }
  }

  /** Prints an error as one line and returns its exit code. */
  fail(command: string, err: unknown): number {
    this.clearBar();
    const message = err instanceof Error ? err.message : String(err);
    const firstLine = message.split('\n')[0];
    this.streams.stderr.write(`facecore${command ? ' ' + printable(command) : ''}: ${printable(firstLine)}\n`);
    if (err instanceof UsageError) {
      this.streams.stderr.write(`Run 'facecore ${command ? command + ' ' : ''}--help' for usage.\n`);
      return EXIT_USAGE;
    }
    return EXIT_FAILURE;
  }
}

/** JSON has no Infinity: write it as a string rather than null. Typed arrays become arrays. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  return value;
}
