// The browser the e2e tests drive: which one is chosen, that the one npm brings unpacks whole even when two test
// files start at once, and that the chosen one shows Chinese as characters, not boxes (the pages are Chinese by
// default). Screenshot: artifacts/e2e/browser-chinese.png.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser } from 'playwright-core';
import { findChromium } from './e2e-browser.js';
import { ARTIFACTS, launchBrowser } from './e2e-fixture.js';

const run = promisify(execFile);

const Choice = suite('which Chromium the browser tests use');
let scratch: string;
let stand: string;

Choice.before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'pingyi-browser-'));
  // Any existing file will do where only the choice is looked at: nothing here starts it.
  stand = join(scratch, 'some-browser');
  writeFileSync(stand, '');
});
Choice.after(() => rmSync(scratch, { recursive: true, force: true }));

Choice('CHROMIUM_PATH naming no file fails and says so', async () => {
  const missing = join(scratch, 'no-such-browser');
  try {
    await findChromium({ env: { CHROMIUM_PATH: missing }, system: process.execPath });
    assert.unreachable('a missing CHROMIUM_PATH was accepted');
  } catch (e) {
    assert.match((e as Error).message, `CHROMIUM_PATH is ${missing}, which does not exist`);
  }
});

Choice('CHROMIUM_PATH comes before the system browser, and gets no settings of ours', async () => {
  const found = await findChromium({ env: { CHROMIUM_PATH: stand }, system: process.execPath });
  assert.equal(found, { path: stand, from: 'CHROMIUM_PATH', env: {} });
});

Choice('the system browser comes before the one npm brought, as it is', async () => {
  const found = await findChromium({ env: {}, system: stand, unpacked: join(scratch, 'unused') });
  assert.equal(found, { path: stand, from: 'system', env: {} });
});

Choice('without one, the packaged Chromium unpacks whole while two test files start it at once', async () => {
  const unpacked = join(scratch, 'unpacked');
  const places = { env: {}, system: join(scratch, 'no-system-browser'), unpacked };
  // Each starts the browser as soon as it has a path, as a test file does; the second begins once the first is
  // writing, as when two test files start a moment apart.
  const start = async () => {
    const found = await findChromium(places);
    const { stdout } = await run(found.path, ['--version']);
    return { found, version: stdout.trim() };
  };
  const first = start();
  const writing = () => readdirSync(unpacked).some((version) => readdirSync(join(unpacked, version)).length > 0);
  while (!writing()) await new Promise((resolve) => setTimeout(resolve, 5));
  const [a, b] = await Promise.all([first, start()]);
  assert.is(a!.found.from, 'npm');
  assert.is(a!.found.path, b!.found.path);
  assert.match(a!.version, /^Chromium \d+\./);
  assert.is(b!.version, a!.version);
  assert.ok(a!.found.path.startsWith(unpacked), a!.found.path);
  const dir = readdirSync(unpacked).map((d) => join(unpacked, d));
  assert.is(dir.length, 1);
  assert.equal(
    readdirSync(dir[0]!).filter((f) => f.endsWith('.part')),
    [],
    'a half-written file was left behind',
  );

  const conf = readFileSync(a!.found.env.FONTCONFIG_FILE ?? '', 'utf8');
  assert.match(conf, '/etc/fonts/fonts.conf');
  assert.match(conf, /@expo-google-fonts\/noto-sans-sc\/400Regular<\/dir>/);
  assert.match(conf, /@expo-google-fonts\/noto-sans-sc\/700Bold<\/dir>/);

  // A second run finds it unpacked.
  const again = await findChromium(places);
  assert.equal(again, a!.found);
});

Choice.run();

const Chinese = suite('the chosen Chromium shows Chinese');
let browser: Browser;

Chinese.before(async () => {
  browser = await launchBrowser();
});
Chinese.after(async () => {
  await browser?.close();
});

Chinese('Chinese text is drawn as characters, not as the boxes of a missing font', async () => {
  const page = await browser.newPage({ locale: 'zh-CN' });
  await page.setContent(
    '<!doctype html><html lang="zh-CN"><body style="font: 24px sans-serif"><p>评议结果公示：满意 基本满意 不满意</p><p><b>加粗的标题</b></p></body></html>',
  );
  // Characters no font has (private use) are drawn as the fallback font's box: Chinese drawn the same way means
  // no font on the machine has Chinese either.
  const drawn = await page.evaluate(() => {
    // No named functions in here: the test runner's compiler would wrap them in a helper the page lacks.
    const [han, none] = ['评议结果公示', '\uE000\uE001\uE002\uE003\uE004\uE005'].map((text) => {
      const canvas = document.createElement('canvas');
      canvas.width = 200;
      canvas.height = 40;
      const g = canvas.getContext('2d') as CanvasRenderingContext2D;
      g.font = '24px sans-serif';
      g.fillText(text, 4, 30);
      return g.getImageData(0, 0, canvas.width, canvas.height).data;
    }) as [Uint8ClampedArray, Uint8ClampedArray];
    let painted = 0;
    let differ = 0;
    for (let i = 3; i < han.length; i += 4) {
      if ((han[i] as number) > 0) painted++;
      if (han[i] !== none[i]) differ++;
    }
    return { painted, differ };
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'browser-chinese.png') });
  assert.ok(drawn.painted > 200, `Chinese text left the canvas almost blank (${drawn.painted} pixels)`);
  assert.ok(drawn.differ > 200, `Chinese is drawn as the boxes of a missing font (${drawn.differ} pixels differ); see artifacts/e2e/browser-chinese.png`);
  await page.close();
});

Chinese.run();
