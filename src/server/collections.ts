// A key's face collection as the routes see it (ServerCollection), and its file-backed form:
// one collection per API key, durable under the data directory, a FaceIndex (faces: image_id
// -> embedding, label = subject) and a subjects file (subjects may exist without faces, as in
// CompreFace). File names come from a hash of the key, never from a request. The store-backed
// form (PostgreSQL + a local replica) is in store-collections.ts.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, writeFileAtomic } from '../gallery/atomic-file.js';
import type { FaceHit, FaceRecord, LabelHit } from '../gallery/gallery.js';
import type { Meta } from '../gallery/row-store.js';
import { FaceIndex } from '../gallery/face-index.js';
import { collectionStem } from '../store/collection-stem.js';

export { collectionStem };

/** A face hit with the store number of the face, when the collection has one (replicas do). */
export type CollectionHit = FaceHit & { seq?: number };

/** Per request, in router mode: did it opt into partial answers, and which shards did not answer. */
export interface RouteScope {
  partial: boolean;
  unavailable: Set<string>;
}

/**
 * What the routes do with a collection. Each call is atomic on its own (check-then-act
 * included: createSubject answers false rather than racing), so routes need no locking.
 */
export interface ServerCollection {
  listSubjects(): Promise<string[]>;
  /** Resolves to false when the subject exists already. */
  createSubject(subject: string): Promise<boolean>;
  /** Moves `from`'s faces to `to` (merging); false when `from` does not exist. */
  renameSubject(from: string, to: string): Promise<boolean>;
  /** Deletes a subject and its faces; false when it does not exist. */
  deleteSubject(subject: string): Promise<boolean>;
  /** Deletes every subject and face; resolves to the number of subjects deleted. */
  deleteAllSubjects(): Promise<number>;
  /** Adds a face (and its subject); resolves once it is durable and searchable here. */
  addFace(id: string, subject: string, vector: Float32Array, meta?: Meta): Promise<void>;
  /** A page of faces (of one subject), oldest first, and how many there are. */
  listFaces(options: { subject?: string; offset: number; limit: number }): Promise<{ faces: { id: string; subject: string }[]; total: number }>;
  getFace(id: string): Promise<FaceRecord | undefined>;
  /** Deletes one face; undefined when it does not exist. */
  deleteFace(id: string): Promise<{ id: string; subject: string } | undefined>;
  /** Deletes the faces found among `ids`, answering them in request order. */
  deleteFacesById(ids: string[]): Promise<{ id: string; subject: string }[]>;
  /** Deletes every face (of one subject); resolves to how many. */
  deleteFaces(subject?: string): Promise<number>;
  /** Per query row, the k best faces searchable here (`scope`: the request's, for a router's collection). */
  search(vectors: Float32Array, k: number, scope?: RouteScope): Promise<CollectionHit[][]>;
  /** Per query row, the k best subjects searchable here. */
  searchLabels(vectors: Float32Array, k: number, scope?: RouteScope): Promise<LabelHit[][]>;
  close(): Promise<void>;
}

/** Where a server's collections come from (the data directory, or the store). */
export interface CollectionSource {
  get(apiKey: string): Promise<ServerCollection>;
  closeAll(): Promise<void>;
}

/** A subject rename in progress: the faces to re-add under `to` (vectors as float32 base64). */
interface RenameJournal {
  from: string;
  to: string;
  faces: { id: string; vector: string; meta: Meta | null }[];
}

export class Collection implements ServerCollection {
  #subjects: Set<string>;
  /** Mutations run one at a time (a rename is several index operations). */
  #tail: Promise<unknown> = Promise.resolve();

  private constructor(readonly index: FaceIndex, private readonly subjectsFile: string, private readonly journalFile: string, subjects: string[]) {
    this.#subjects = new Set(subjects);
    for (const r of index.entries()) this.#subjects.add(r.label);
  }

  static async open(dir: string, apiKey: string, dim: number): Promise<Collection> {
    const stem = collectionStem(apiKey);
    const index = await FaceIndex.open(path.join(dir, `${stem}.fci`), { dim });
    const subjectsFile = path.join(dir, `${stem}.subjects.json`);
    let subjects: string[] = [];
    try {
      subjects = JSON.parse(await fs.readFile(subjectsFile, 'utf8')) as string[];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        await index.close();
        throw err;
      }
    }
    const collection = new Collection(index, subjectsFile, path.join(dir, `${stem}.rename.json`), subjects);
    try {
      await collection.recover();
    } catch (err) {
      await index.close();
      throw err;
    }
    return collection;
  }

  // ---- ServerCollection

  listSubjects(): Promise<string[]> {
    return Promise.resolve(this.subjects());
  }
  createSubject(subject: string): Promise<boolean> {
    return this.exclusive(async () => {
      if (this.#subjects.has(subject)) return false;
      await this.addSubject(subject);
      return true;
    });
  }
  renameSubject(from: string, to: string): Promise<boolean> {
    return this.exclusive(async () => {
      if (!this.#subjects.has(from)) return false;
      if (from !== to) await this.#rename(from, to);
      return true;
    });
  }
  deleteSubject(subject: string): Promise<boolean> {
    return this.exclusive(async () => {
      if (!this.#subjects.has(subject)) return false;
      await this.removeSubjects([subject]);
      return true;
    });
  }
  deleteAllSubjects(): Promise<number> {
    return this.exclusive(async () => {
      const all = this.subjects();
      await this.removeSubjects(all);
      return all.length;
    });
  }
  addFace(id: string, subject: string, vector: Float32Array, meta?: Meta): Promise<void> {
    // Resolves after the index's log record is fsynced (FaceIndex durability 'fsync').
    return this.exclusive(async () => {
      await this.index.add([id], vector, { labels: [subject], meta: [meta] });
      await this.addSubject(subject);
    });
  }
  async listFaces(options: { subject?: string; offset: number; limit: number }) {
    const all = this.#facesOf(options.subject);
    return { faces: all.slice(options.offset, options.offset + options.limit).map((r) => ({ id: r.id, subject: r.label })), total: all.length };
  }
  async getFace(id: string): Promise<FaceRecord | undefined> {
    return this.index.get(id);
  }
  deleteFace(id: string): Promise<{ id: string; subject: string } | undefined> {
    return this.deleteFacesById([id]).then((r) => r[0]);
  }
  deleteFacesById(ids: string[]): Promise<{ id: string; subject: string }[]> {
    return this.exclusive(async () => {
      const found = ids.map((id) => this.index.get(id)).filter((r) => r !== undefined);
      if (found.length > 0) await this.index.remove(found.map((r) => r.id));
      return found.map((r) => ({ id: r.id, subject: r.label }));
    });
  }
  deleteFaces(subject?: string): Promise<number> {
    return this.exclusive(async () => {
      const ids = this.#facesOf(subject).map((r) => r.id);
      return ids.length === 0 ? 0 : this.index.remove(ids);
    });
  }
  search(vectors: Float32Array, k: number): Promise<CollectionHit[][]> {
    return this.index.search(vectors, k);
  }
  searchLabels(vectors: Float32Array, k: number): Promise<LabelHit[][]> {
    return this.index.searchLabels(vectors, k);
  }

  #facesOf(subject: string | undefined): FaceRecord[] {
    return [...this.index.entries()].filter((r) => subject === undefined || r.label === subject);
  }

  // ---- the file machinery

  subjects(): string[] {
    return [...this.#subjects];
  }
  hasSubject(subject: string): boolean {
    return this.#subjects.has(subject);
  }

  /** Runs `job` after every earlier mutation of this collection. */
  exclusive<T>(job: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(job, job);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async addSubject(subject: string): Promise<void> {
    if (this.#subjects.has(subject)) return;
    this.#subjects.add(subject);
    await this.#saveSubjects();
  }

  async removeSubjects(subjects: string[]): Promise<number> {
    const drop = new Set(subjects);
    const ids = [...this.index.entries()].filter((r) => drop.has(r.label)).map((r) => r.id);
    const removed = ids.length === 0 ? 0 : await this.index.remove(ids);
    for (const s of subjects) this.#subjects.delete(s);
    await this.#saveSubjects();
    return removed;
  }

  /**
   * Gives `from`'s faces the label `to` (merging when `to` exists, as CompreFace does). The
   * index has no relabel, so faces are removed and re-added under the same ids; a journal with
   * their vectors is written first, and open() finishes a rename a crash interrupted.
   */
  async #rename(from: string, to: string): Promise<void> {
    const records = [...this.index.entries()].filter((r) => r.label === from);
    const journal: RenameJournal = {
      from, to,
      faces: records.map((r) => ({ id: r.id, vector: Buffer.from(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength).toString('base64'), meta: r.meta ?? null })),
    };
    await writeFileAtomic(this.journalFile, [Buffer.from(JSON.stringify(journal))], true);
    await this.#applyRename(journal);
  }

  // Idempotent: safe to run again after a crash at any point.
  async #applyRename(journal: RenameJournal): Promise<void> {
    const { dim } = this.index;
    const present = journal.faces.filter((f) => this.index.has(f.id)).map((f) => f.id);
    if (present.length > 0) await this.index.remove(present);
    if (journal.faces.length > 0) {
      const vectors = new Float32Array(journal.faces.length * dim);
      journal.faces.forEach((f, i) => vectors.set(new Float32Array(new Uint8Array(Buffer.from(f.vector, 'base64')).buffer), i * dim));
      await this.index.add(journal.faces.map((f) => f.id), vectors, { labels: journal.faces.map(() => journal.to), meta: journal.faces.map((f) => f.meta) });
    }
    this.#subjects.delete(journal.from);
    this.#subjects.add(journal.to);
    await this.#saveSubjects();
    await fs.rm(this.journalFile, { force: true });
    await fsyncDir(path.dirname(this.journalFile));
  }

  /** Finishes a rename a crash interrupted (called by open()). */
  async recover(): Promise<void> {
    let text: string;
    try {
      text = await fs.readFile(this.journalFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    await this.#applyRename(JSON.parse(text) as RenameJournal);
  }

  async #saveSubjects(): Promise<void> {
    await writeFileAtomic(this.subjectsFile, [Buffer.from(JSON.stringify([...this.#subjects]))], true);
  }

  async close(): Promise<void> {
    await this.#tail;
    await this.index.close();
  }
}

/** The file-backed collections of the configured keys, opened on first use. */
export class Collections implements CollectionSource {
  readonly #open = new Map<string, Promise<ServerCollection>>();

  constructor(private readonly dir: string, private readonly dim: number) {}

  get(apiKey: string): Promise<ServerCollection> {
    let c = this.#open.get(apiKey);
    if (!c) {
      c = fs.mkdir(this.dir, { recursive: true }).then(() => Collection.open(this.dir, apiKey, this.dim));
      c.catch(() => this.#open.delete(apiKey));
      this.#open.set(apiKey, c);
    }
    return c;
  }

  async closeAll(): Promise<void> {
    const all = await Promise.allSettled(this.#open.values());
    this.#open.clear();
    for (const c of all) if (c.status === 'fulfilled') await c.value.close();
  }
}
