// The page at / in headless Chromium (playwright-core, Debian's chromium, loopback only):
// upload a photo, see its face boxed with the best subject; list the key's subjects.
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasShared } from '../helpers/shared.js';
import { KEY, photo, startServer, type Running } from './fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const canRun = hasShared && fs.existsSync(CHROMIUM);
if (!fs.existsSync(CHROMIUM)) console.warn(`[facecore tests] ${CHROMIUM} is absent: the web page test is skipped (apt-get install chromium).`);

describe.skipIf(!canRun)('web page at /', () => {
  let server: Running;
  let browser: Browser;
  beforeAll(async () => {
    server = await startServer();
    const add = await fetch(`${server.url}/api/v1/recognition/faces?subject=angelina`, {
      method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify({ file: fs.readFileSync(photo('img1.jpg')).toString('base64') }),
    });
    expect(add.status).toBe(201);
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('boxes the faces of an uploaded photo with their best subject and lists subjects', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url + '/');
    await page.fill('#key', KEY);
    await page.setInputFiles('#photo', photo('img2.jpg'));
    const label = page.locator('.box span').first();
    await label.waitFor({ timeout: 30_000 });
    expect(await label.textContent()).toMatch(/^angelina 0\.\d\d$/);
    const box = await page.locator('.box').first().boundingBox();
    expect(box!.width).toBeGreaterThan(10);
    await page.click('#subjects-button');
    await page.locator('#subjects li').first().waitFor();
    expect(await page.locator('#subjects li').allTextContents()).toEqual(['angelina']);
    // A wrong key shows the server's message.
    await page.fill('#key', 'wrong-key-0000');
    await page.click('#subjects-button');
    await expect.poll(() => page.textContent('#error')).toBe('Invalid API key');
    expect(errors).toEqual([]);
  }, 60_000);
});
