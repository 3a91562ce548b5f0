import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { detSvg, rocSvg } from '../../src/eval/plot.js';
import { svgToPng } from '../../src/eval/report.js';

// Default frame: 640 x 480, plot area x 64..620, y 428 (rate 0 or the lowest decade) .. 40 (rate 1).
const points = (svg: string) => [...svg.matchAll(/<polyline[^>]* points="([^"]*)"/g)].map((m) => m[1]);

describe('rocSvg', () => {
  it('maps FAR on a log axis and TAR linearly', () => {
    // FAR 0 sits on the left edge; the lowest decade is 1e-2 (smallest non-zero FAR 0.05).
    const svg = rocSvg([{ label: 'a', far: [0, 0.05, 0.1, 1], tar: [0, 0.5, 1, 1] }]);
    // x(f) = 64 + (log10 f + 2) / 2 * 556: x(0.05) = 258.31, x(0.1) = 342; y(0.5) = 428 - 0.5 * 388 = 234.
    expect(points(svg)).toEqual(['64,428 258.31,234 342,40 620,40']);
    for (const label of ['1e-2', '1e-1', '>1<', '0.6']) expect(svg).toContain(label);
  });

  it('escapes labels and titles', () => {
    const svg = rocSvg([{ label: 'x<y & "z"', far: [0, 1], tar: [0, 1] }], { title: "a'b" });
    expect(svg).toContain('x&lt;y &amp; &quot;z&quot;');
    expect(svg).toContain('a&apos;b');
  });

  it('thins points closer than half a pixel but keeps the ends', () => {
    const n = 100_000;
    const far = Array.from({ length: n }, (_, i) => i / (n - 1));
    const svg = rocSvg([{ label: 'dense', far, tar: far }], { minRate: 1e-6 });
    const kept = points(svg)[0].split(' ');
    expect(kept.length).toBeLessThan(2000);
    expect(kept.at(-1)).toBe('620,40');
  });

  it('checks its input', () => {
    expect(() => rocSvg([])).toThrow(new RangeError('series: expected at least one curve, got 0'));
    expect(() => rocSvg([{ label: 'a', far: [0, 1], tar: [0] }])).toThrow(new RangeError('series[0].tar: expected the length of far (2), got 1'));
    expect(() => rocSvg([{ far: [0], tar: [0] } as never])).toThrow(TypeError);
  });
});

describe('detSvg', () => {
  it('plots FNMR = 1 - TAR against FMR, both log, zeros on the lower edges', () => {
    const svg = detSvg([{ label: 'a', far: [0, 0.1, 1], tar: [0, 0.99, 1] }]);
    // Lowest decade 1e-2: x(0.1) = 342; y(FNMR 0.01) = 428 (lower edge); FNMR 0 also on it.
    expect(points(svg)).toEqual(['64,40 342,428 620,428']);
  });
});

describe('svgToPng', () => {
  it('renders the curve with sharp', async () => {
    const svg = rocSvg([{ label: 'diagonal', far: [0, 1], tar: [0, 1] }], { minRate: 0.01 });
    const png = await svgToPng(svg);
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([640, 480]);
    // Midpoint of the line from (64,428) to (620,40) is (342,234): the first palette colour #1f77b4.
    const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    let nearest = Infinity;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const [r, g, b] = at(342 + dx, 234 + dy);
        nearest = Math.min(nearest, Math.abs(r - 0x1f) + Math.abs(g - 0x77) + Math.abs(b - 0xb4));
      }
    }
    expect(nearest).toBeLessThan(30);
    expect(at(500, 400)).toEqual([255, 255, 255]);
  });

  it('rejects a non-string', async () => {
    await expect(svgToPng(42 as never)).rejects.toThrow(new TypeError('svg: expected an SVG string, got number 42'));
  });
});
