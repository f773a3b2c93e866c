/**
 * The first-run walkthrough (package.json `contributes.walkthroughs`): every step names contributed
 * commands, completes on its own command, and shows a media file that exists; Open Sample opens a
 * file that the .vsix ships (test/unit/tools/packaging.test.ts checks it is packaged).
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_PATH, SAMPLE_SELECTION } from '../../../src/features/model/sample';
import { REPO_ROOT } from '../../repoRoot';

interface Step {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string; image?: string; svg?: string };
  completionEvents?: string[];
}

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));

describe('first-run walkthrough', () => {
  const walkthroughs = pkg.contributes.walkthroughs as { id: string; steps: Step[] }[];
  const commands = new Set((pkg.contributes.commands as { command: string }[]).map((c) => c.command));

  it('has the four steps in order, each completing on its command', () => {
    assert.equal(walkthroughs.length, 1);
    const steps = walkthroughs[0].steps;
    assert.deepEqual(
      steps.map((s) => s.completionEvents),
      [
        ['onCommand:circuitInspector.openSample'],
        ['onCommand:circuitInspector.inspectAttention'],
        ['onCommand:circuitInspector.compareSubstitution'],
        ['onCommand:circuitInspector.selectModel'],
      ],
    );
  });

  it('references only contributed commands and existing media files', () => {
    for (const s of walkthroughs[0].steps) {
      for (const e of s.completionEvents ?? []) {
        const m = /^onCommand:(.+)$/.exec(e);
        assert.ok(m, `${s.id}: completion event ${e}`);
        assert.ok(commands.has(m[1]), `${s.id}: ${m[1]} is a contributed command`);
      }
      const linked = [...s.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
      assert.ok(linked.length > 0, `${s.id} links its command`);
      for (const c of linked) assert.ok(commands.has(c), `${s.id}: the link to ${c} is a contributed command`);
      const files = Object.values(s.media).filter((v): v is string => typeof v === 'string');
      assert.ok(files.length > 0, `${s.id} has media`);
      for (const f of files) {
        assert.ok(f.startsWith('media/walkthrough/'), `${s.id}: ${f} is under media/walkthrough/`);
        assert.ok(existsSync(join(REPO_ROOT, f)), `${s.id}: ${f} exists`);
      }
    }
  });

  it("Open Sample's file exists and holds the text it selects", () => {
    const text = readFileSync(join(REPO_ROOT, ...SAMPLE_PATH), 'utf8');
    assert.ok(text.includes(SAMPLE_SELECTION));
  });
});
