// Which Chromium the browser tests drive: the one CHROMIUM_PATH names; else Debian's, where installed (CI installs
// it with fonts-noto-cjk); else the one npm brought. @sparticuz/chromium ships a headless Chromium inside the
// package (brotli-compressed), and @expo-google-fonts/noto-sans-sc a Chinese font for it, so a machine with only
// Node and npm passes `npm install && npm test`.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { ROOT } from './child-server.js';

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const UNPACKED = join(ROOT, 'node_modules/.cache/pingyi-e2e');

export interface ChromiumChoice {
  path: string;
  /** Where it came from, for messages. */
  from: 'CHROMIUM_PATH' | 'system' | 'npm';
  /** Environment the browser process needs on top of ours. */
  env: Record<string, string>;
}

export interface ChromiumPlaces {
  env?: NodeJS.ProcessEnv;
  system?: string;
  /** Where the packaged browser is unpacked, one folder per version. */
  unpacked?: string;
}

/** Finds a browser or fails saying why: a missing browser fails the tests, it never skips them. */
export async function findChromium(places: ChromiumPlaces = {}): Promise<ChromiumChoice> {
  const env = places.env ?? process.env;
  const system = places.system ?? SYSTEM_CHROMIUM;
  const named = env.CHROMIUM_PATH;
  if (named) {
    if (!existsSync(named)) throw new Error(`CHROMIUM_PATH is ${named}, which does not exist.`);
    return { path: named, from: 'CHROMIUM_PATH', env: {} };
  }
  if (existsSync(system)) return { path: system, from: 'system', env: {} };
  return packagedChromium(places.unpacked ?? UNPACKED);
}

const require = createRequire(import.meta.url);

function packageDir(name: string): string {
  let main: string;
  try {
    main = require.resolve(name);
  } catch {
    throw new Error(`${name} is not installed (run npm install): the browser tests need it, as ${SYSTEM_CHROMIUM} is missing and CHROMIUM_PATH is not set.`);
  }
  for (let dir = dirname(main); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === name) return dir;
  }
  throw new Error(`${name}: no package.json above ${main}`);
}

/**
 * The package's own executablePath() unpacks to /tmp/chromium and returns that file whenever it exists, whatever
 * its version and even while another process is still writing it (two test files start at once: ETXTBSY). So the
 * tests unpack it themselves, into a folder named by the version, through a temporary file renamed into place.
 */
async function packagedChromium(unpacked: string): Promise<ChromiumChoice> {
  const pkg = packageDir('@sparticuz/chromium');
  const version = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).version as string;
  const dir = join(unpacked, `chromium-${version}`);
  const path = join(dir, 'chromium');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(path)) {
    const part = `${path}.${randomBytes(6).toString('hex')}.part`;
    try {
      await pipeline(createReadStream(join(pkg, 'bin/chromium.br')), createBrotliDecompress(), createWriteStream(part, { mode: 0o755 }));
      renameSync(part, path);
    } finally {
      rmSync(part, { force: true });
    }
  }
  return { path, from: 'npm', env: { FONTCONFIG_FILE: fontConfig(dir) } };
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The packaged Chromium reads fonts through its own fontconfig: this configuration gives it the system's fonts
 * and, after them, Noto Sans SC from npm, so Chinese shows as characters where the system has no CJK font. The
 * pages ask for "Noto Sans CJK SC" first, so a system that has it still renders with it.
 */
function fontConfig(dir: string): string {
  const font = packageDir('@expo-google-fonts/noto-sans-sc');
  const faces = ['400Regular', '700Bold'].map((face) => join(font, face));
  for (const face of faces) if (!existsSync(face)) throw new Error(`@expo-google-fonts/noto-sans-sc has no ${face}`);
  const text = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">',
    '<fontconfig>',
    `  <cachedir>${xml(join(dir, 'fontconfig'))}</cachedir>`,
    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
    ...faces.map((face) => `  <dir>${xml(face)}</dir>`),
    '</fontconfig>',
    '',
  ].join('\n');
  const file = join(dir, 'fonts.conf');
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
    const part = `${file}.${randomBytes(6).toString('hex')}.part`;
    writeFileSync(part, text);
    renameSync(part, file);
  }
  return file;
}
