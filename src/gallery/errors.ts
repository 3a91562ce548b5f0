// Errors a FaceIndex on disk can raise, each naming the file (and the section) at fault.

/** A file of the index is corrupt or truncated: `section` says which part failed its check. */
export class CorruptIndexError extends Error {
  override name = 'CorruptIndexError';
  constructor(readonly file: string, readonly section: string, detail: string) {
    super(`${file}: ${section} section is corrupt: ${detail}`);
  }
}

/** Another writer holds the index (one writing process per index). */
export class IndexLockedError extends Error {
  override name = 'IndexLockedError';
  constructor(readonly file: string, readonly pid: number, readonly lockFile: string) {
    super(`${file}: the index is open for writing by process ${pid} (lock ${lockFile}); close it there first`);
  }
}
