// Optional npm packages that only some features need (pg and bullmq for scale-out): imported
// when the feature starts, so a library user who never scales out installs and loads neither.
// A missing one is a clear Error naming the package and what needs it.

/** `import(pkg)`, or an Error that says `npm install <pkg>` when it is not installed. */
export async function importOptional<T>(pkg: string, neededFor: string): Promise<T> {
  try {
    return (await import(pkg)) as T;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error(`${neededFor}: needs the optional package ${pkg}, which is not installed (npm install ${pkg})`);
    }
    throw err;
  }
}
