import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export interface Asset {
  body: Uint8Array;
  type: string;
  url: string;
}

/** Static files with content-hashed URLs: a changed file gets a new URL, so every URL can be cached for a year. */
export interface Assets {
  /** The public, hashed URL of a logical asset name such as `css/app.css` or `vendor/chart.js`. */
  url(name: string): string;
  /** The asset served at a hashed URL path (without the `/assets/` prefix), if any. */
  byPath(path: string): Asset | undefined;
}

const webDir = fileURLToPath(new URL('../../web/', import.meta.url));

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  });
}

/** Reads `web/` (and the browser builds of vendored packages) once, at app creation. */
export function loadAssets(): Assets {
  const require = createRequire(import.meta.url);
  const sources = new Map<string, string>();
  for (const file of listFiles(webDir)) {
    if (TYPES[extname(file)]) sources.set(relative(webDir, file).split(sep).join('/'), file);
  }
  // chart.js does not export its browser build; find it beside the package's main file.
  sources.set('vendor/chart.js', join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'));
  // Generated assets (name → text). seedrandom ships no ES module: wrap its own file so the browser's draw check
  // runs the very ARC4 the server runs, without the script touching Math.seedrandom.
  const generated = new Map<string, string>();
  const seedrandomSource = readFileSync(join(dirname(require.resolve('seedrandom')), 'seedrandom.js'), 'utf8');
  generated.set('vendor/seedrandom.js', `const module = { exports: {} }; const define = undefined;\n${seedrandomSource}\nexport default module.exports;\n`);

  const byName = new Map<string, Asset>();
  const byPath = new Map<string, Asset>();
  const bodies = new Map<string, Buffer>();
  for (const [name, file] of sources) bodies.set(name, readFileSync(file));
  for (const [name, text] of generated) bodies.set(name, Buffer.from(text, 'utf8'));
  for (const [name, body] of bodies) {
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const ext = extname(name);
    const path = `${name.slice(0, -ext.length)}.${hash}${ext}`;
    const asset = { body: new Uint8Array(body), type: TYPES[ext] ?? 'application/octet-stream', url: `/assets/${path}` };
    byName.set(name, asset);
    byPath.set(path, asset);
  }
  return {
    url(name) {
      const a = byName.get(name);
      if (!a) throw new Error(`No asset named ${name}`);
      return a.url;
    },
    byPath: (path) => byPath.get(path),
  };
}
