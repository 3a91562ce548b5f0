// The user's corrections, which every automatic decision (add, recluster) must respect:
// locks ("this face is this person", or "nobody"), rejections ("this face is not that
// person") and merges (a retired person id points at the one it joined).
import type { PeopleSnapshot } from './people-log.js';

export class Corrections {
  /** Face -> the person the user put it in (null: the user said it is nobody). */
  readonly locks = new Map<string, string | null>();
  readonly rejects = new Map<string, Set<string>>();
  readonly aliases = new Map<string, string>();

  static from(s: PeopleSnapshot): Corrections {
    const c = new Corrections();
    for (const [f, p] of Object.entries(s.locks)) c.locks.set(f, p);
    for (const [f, ps] of Object.entries(s.rejects)) c.rejects.set(f, new Set(ps));
    for (const [a, b] of Object.entries(s.aliases)) c.aliases.set(a, b);
    return c;
  }

  /** The live id of a person (following merges). */
  resolve(person: string): string {
    for (let p = person, hops = 0; ; hops++) {
      const next = this.aliases.get(p);
      if (next === undefined || hops > this.aliases.size) return p;
      p = next;
    }
  }

  /** Whether the face may be placed in the person automatically. */
  allows(face: string, person: string): boolean {
    return !this.rejects.get(face)?.has(person);
  }

  reject(face: string, person: string): void {
    let set = this.rejects.get(face);
    if (!set) this.rejects.set(face, (set = new Set()));
    set.add(person);
  }

  /** Merging `from` into `into` carries every lock and rejection that named `from`. */
  merge(from: string, into: string): void {
    this.aliases.set(from, into);
    for (const [f, p] of this.locks) if (p === from) this.locks.set(f, into);
    for (const set of this.rejects.values()) if (set.delete(from)) set.add(into);
  }

  forget(face: string): void {
    this.locks.delete(face);
    this.rejects.delete(face);
  }

  save(s: PeopleSnapshot): void {
    s.locks = Object.fromEntries(this.locks);
    s.rejects = Object.fromEntries([...this.rejects].map(([f, set]) => [f, [...set]]));
    s.aliases = Object.fromEntries(this.aliases);
  }
}
