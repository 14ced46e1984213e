import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestApp } from './helpers.js';

const s = suite('smoke');
s('healthz answers ok', async () => {
  const { app } = await createTestApp();
  const res = await app.request('/healthz');
  assert.is(res.status, 200);
  assert.is(await res.text(), 'ok');
});
s.run();
