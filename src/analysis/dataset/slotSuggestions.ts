/**
 * Suggested slots of a template: the argument names of each Python `def` signature in it (not
 * `self` or `cls`: heads treat them apart from other names, and they are no free choice), each with
 * every place the name recurs.
 *
 * Where a name counts as an occurrence:
 * - in code (`definition` group): every whole-word occurrence that is not an attribute (`.width`
 *   is an attribute, not the argument);
 * - in strings and comments (`docstring` group): a docstring field (`:param a:`, `:type a:`,
 *   `@param a`, `` `a` ``, a Google-style `a:` or `a (int):` at the start of a line), and any other
 *   whole-word mention unless the name is a function word (`a` in "Load a thing" is the article) or
 *   a single letter.
 * Each suggestion says how many tokens its occurrences are: a slot fills with one-token words, so a
 * name of several tokens cannot keep the token count (the generator refuses it, naming the slot).
 */
import type { Gpt2Tokenizer } from '../../model/tokenizer';
import { FUNCTION_WORDS } from '../substitution/functionWords';
import { groupsOf, PromptSetTemplateError, wordOccurrences, type SlotOccurrence, type TemplateSlot } from './template';

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
    const { occurrences } = nameSlot(template, name);
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
 * The slot of a name the user gives (`--slots a,b`): its occurrences by the rule of the suggestions
 * (no attributes, docstring mentions only where they name the argument). Throws when it has none.
 */
export function slotForName(template: string, name: string): TemplateSlot {
  const slot = nameSlot(template, name);
  if (slot.occurrences.length === 0)
    throw new PromptSetTemplateError(`slot '${name}' does not occur in the template as a name (a whole word, not an attribute)`);
  return slot;
}

function nameSlot(template: string, name: string): TemplateSlot {
  const group = groupsOf(template);
  const occurrences: SlotOccurrence[] = [];
  for (const r of wordOccurrences(template, name)) {
    const g = group(r.start);
    if (g === 'definition' ? template[r.start - 1] === '.' : !isDocstringMention(template, r.start, name)) continue;
    occurrences.push({ ...r, group: g });
  }
  return { name, occurrences };
}

const FIELD_BEFORE = /(?::(?:param|parameter|arg|argument|key|keyword|type)\s+(?:[^:\s]+\s+)?|@param\s+|`)$/;

/** Whether the prose occurrence at `start` names the argument (a docstring field, or a mention that cannot be an ordinary word). */
function isDocstringMention(template: string, start: number, name: string): boolean {
  const lineStart = template.lastIndexOf('\n', start - 1) + 1;
  const before = template.slice(lineStart, start);
  const after = template.slice(start + name.length);
  if (FIELD_BEFORE.test(before)) return true;
  if (/^\s*$/.test(before) && /^(?::|\s*\()/.test(after)) return true; // Google style: `a: …` or `a (int): …`
  return name.length > 1 && !FUNCTION_WORDS.has(name.toLowerCase());
}
