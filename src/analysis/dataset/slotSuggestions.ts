/**
 * Suggested slots of a template: the argument names of each Python `def` signature in it (not
 * `self` or `cls`: heads treat them apart from other names, and they are no free choice), each with
 * every place the name recurs.
 *
 * Where a name counts as an occurrence: `nameOccurrences` (./template.ts).
 * Each suggestion says how many tokens its occurrences are: a slot fills with one-token words, so a
 * name of several tokens cannot keep the token count (the generator refuses it, naming the slot).
 */
import type { Gpt2Tokenizer } from '../../model/tokenizer';
import { nameOccurrences, slotByName, type TemplateSlot } from './template';

export interface SuggestedSlot extends TemplateSlot {
  /** The most tokens one occurrence takes (1 for a name the generator can fill). */
  readonly tokens: number;
  /** Why the slot cannot be filled keeping the token count, when it cannot. */
  readonly note?: string;
}

const CONVENTION_NAMES = new Set(['self', 'cls']);
const DEF = /\bdef\s+[\p{L}_][\p{L}\p{N}_]*\s*\(/gu;

/** The argument names of every `def` signature in `template`, in order of first appearance. */
export function signatureArguments(template: string): string[] {
  const names: string[] = [];
  for (const m of template.matchAll(DEF)) {
    const open = m.index + m[0].length;
    let depth = 0;
    let end = open;
    while (end < template.length && !(depth === 0 && template[end] === ')')) {
      const c = template[end];
      if ('([{'.includes(c)) depth++;
      else if (')]}'.includes(c)) depth--;
      end++;
    }
    for (const param of splitTopLevel(template.slice(open, end))) {
      const name = /^\s*\*{0,2}\s*([\p{L}_][\p{L}\p{N}_]*)/u.exec(param)?.[1];
      if (name && !CONVENTION_NAMES.has(name) && !names.includes(name)) names.push(name);
    }
  }
  return names;
}

function splitTopLevel(params: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < params.length; i++) {
    const c = params[i];
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      out.push(params.slice(from, i));
      from = i + 1;
    }
  }
  out.push(params.slice(from));
  return out;
}

/** Suggested slots: each signature argument with its occurrences and token count. */
export function suggestSlots(template: string, tokenizer: Gpt2Tokenizer): SuggestedSlot[] {
  const ranges = tokenizer.encode(template).ranges;
  const out: SuggestedSlot[] = [];
  for (const name of signatureArguments(template)) {
    const { occurrences } = nameOccurrences(template, name);
    if (occurrences.length === 0) continue;
    const tokens = Math.max(...occurrences.map((o) => ranges.filter((t) => t.start < o.end && t.end > o.start).length));
    out.push({
      name,
      occurrences,
      tokens,
      ...(tokens > 1 ? { note: `'${name}' is ${tokens} tokens: a slot is filled with one-token words, so it cannot keep the token count` } : {}),
    });
  }
  return out;
}

/**
 * The slot of a name the user gives (`--slots a,b`): `slotByName` of ./template.ts, the same
 * occurrences as the suggestions (no attributes, docstring mentions only where they name the argument).
 */
export function slotForName(template: string, name: string): TemplateSlot {
  return slotByName(template, name);
}
