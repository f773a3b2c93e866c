import * as assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveModelArg } from '../../../src/cli/resolveModelArg';
import { gpt2Files, rejection, useFixture } from '../hub/helpers';

describe('cli: --model', function () {
  const f = useFixture();
  let home: string;
  beforeEach(async () => {
    home = await fsp.mkdtemp(path.join(os.tmpdir(), 'ci-cli-model-'));
  });
  afterEach(async () => {
    await fsp.rm(home, { recursive: true, force: true });
  });

  it('takes a hub id: downloads it into the Hugging Face cache once, then finds it there without network', async () => {
    const files = gpt2Files(3000);
    const commit = f.hub.addRepo('openai-community/gpt2', files);
    const hfCache = path.join(home, 'hf');
    const env = { HF_HUB_CACHE: hfCache, XDG_CACHE_HOME: path.join(home, 'xdg') };
    const lines: string[] = [];
    const dir = await resolveModelArg(`openai-community/gpt2@${commit}`, { env, endpoint: f.hub.url, log: (l) => lines.push(l) });
    assert.equal(dir, path.join(hfCache, 'models--openai-community--gpt2', 'snapshots', commit));
    assert.match(lines.join('\n'), /downloading into/);
    await f.hub.close();
    const requests = f.hub.requests.length;
    assert.equal(await resolveModelArg('openai-community/gpt2@' + commit, { env, endpoint: f.hub.url }), dir);
    assert.equal(f.hub.requests.length, requests);
    // the legacy alias finds the same snapshot
    assert.equal(await resolveModelArg(`gpt2@${commit}`, { env, endpoint: f.hub.url }), dir);
  });

  it('takes a folder as before, and names what is wrong otherwise', async () => {
    assert.equal(await resolveModelArg(home, { env: {} }), home);
    const bad = await rejection(() => resolveModelArg('not a model!', { env: {} }));
    assert.match(String(bad), /--model: Invalid model id "not a model!"/);
    const missing = await rejection(() => resolveModelArg('./no/such/dir', { env: {} }));
    assert.match(String(missing), /--model: .*no\/such\/dir is not a folder/);
  });
});
