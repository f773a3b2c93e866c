/** Compare Token Substitution: the command, its session (which owns the results) and the panel. */
import { defineFeature } from '../../platform/feature';
import { registerCompareSubstitution } from './commands';
import { SubstitutionSession } from './session';
import type { SubstitutionEngineMethods } from './shared/engineMethods';

export const substitutionFeature = defineFeature('substitution', (ctx) => {
  const session = new SubstitutionSession(ctx.extension, ctx.log, ctx.engine.methods<SubstitutionEngineMethods>());
  ctx.extension.subscriptions.push(session, registerCompareSubstitution(session));
  return { state: () => session.state() };
});
