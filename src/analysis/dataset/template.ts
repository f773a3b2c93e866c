/**
 * A prompt-set template: a text (the selection) with slots, each a name and every place it occurs,
 * filled with other words to make the variants of a prompt set (`generatePromptSet`).
 *
 * Each occurrence belongs to a group by where it sits: `docstring` inside a string literal or a
 * comment (the prose of the code: `:param a:`), `definition` anywhere else (the code: the `def`
 * signature, and the body if the template has one). A name that occurs in both has one slot whose
 * occurrences are in both groups: the clean prompt fills every occurrence with one word, and a
 * group corruption (`group:docstring`) refills only that group's occurrences, so the docstring's
 * `a` and the signature's `a` then differ.
 */
import { FUNCTION_WORDS } from '../substitution/functionWords';
import { splitCodeAndProse } from '../substitution/substituteCandidates';

export type SlotGroup = 'definition' | 'docstring';
export const SLOT_GROUPS: readonly SlotGroup[] = ['definition', 'docstring'];

/** [start, end) in the template text, UTF-16 offsets as the editor counts them. */
export interface CharRange {
  readonly start: number;
  readonly end: number;
}

export interface SlotOccurrence extends CharRange {
  readonly group: SlotGroup;
}

export interface TemplateSlot {
  /** The slot's name: the text the template has at its occurrences. */
  readonly name: string;
  /** Every occurrence, in text order. */
  readonly occurrences: readonly SlotOccurrence[];
}

/** A template or slot the generator cannot use: the message says which and why. */
export class PromptSetTemplateError extends Error {}

const IDENT = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/**
 * The group of a position of `template` that holds a word character: docstring when it is in the
 * prose (strings and comments), definition when it is in the code.
 */
export function groupsOf(template: string): (index: number) => SlotGroup {
  const { code } = splitCodeAndProse(template); // prose characters are blanked to spaces in `code`
  return (index) => (code[index] === template[index] ? 'definition' : 'docstring');
}

/** Every whole-word occurrence of `name` in `template` (bounded by characters that are not letters, digits or `_`). */
export function wordOccurrences(template: string, name: string): CharRange[] {
  const out: CharRange[] = [];
  const word = /[\p{L}\p{N}_]/u;
  for (let i = template.indexOf(name); i >= 0; i = template.indexOf(name, i + 1)) {
    const end = i + name.length;
    if ((i > 0 && word.test(template[i - 1])) || (end < template.length && word.test(template[end]))) continue;
    out.push({ start: i, end });
  }
  return out;
}

/**
 * The places a name occurs as that name (its slot, by name, as suggestions and `--slots a,b` take it):
 * - in code (`definition` group): every whole-word occurrence that is not an attribute (`.width`
 *   is an attribute, not the argument);
 * - in strings and comments (`docstring` group): a docstring field (`:param a:`, `:type a:`,
 *   `@param a`, `` `a` ``, a Google-style `a:` or `a (int):` at the start of a line), and any other
 *   whole-word mention unless the name is a function word (`a` in "Load a thing" is the article) or
 *   a single letter.
 */
export function nameOccurrences(template: string, name: string): TemplateSlot {
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

/** The slot for `name` (its occurrences by `nameOccurrences`); throws when it has none. */
export function slotByName(template: string, name: string): TemplateSlot {
  if (!IDENT.test(name)) throw new PromptSetTemplateError(`slot '${name}' is not a name (letters, digits and _, not starting with a digit)`);
  const slot = nameOccurrences(template, name);
  if (slot.occurrences.length === 0)
    throw new PromptSetTemplateError(`slot '${name}' does not occur in the template as a name (a whole word, not an attribute)`);
  return slot;
}

/** A slot from ranges the user marked: each must hold the same text, and that text is the slot's name. */
export function slotFromRanges(template: string, ranges: readonly CharRange[]): TemplateSlot {
  if (ranges.length === 0) throw new PromptSetTemplateError('a slot needs at least one range');
  const group = groupsOf(template);
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const name = template.slice(sorted[0].start, sorted[0].end);
  for (const r of sorted) {
    if (!(Number.isInteger(r.start) && Number.isInteger(r.end) && 0 <= r.start && r.start < r.end && r.end <= template.length)) {
      throw new PromptSetTemplateError(`slot range [${r.start}, ${r.end}) is not a non-empty range of the template (0 .. ${template.length})`);
    }
    const text = template.slice(r.start, r.end);
    if (text !== name) throw new PromptSetTemplateError(`the ranges of one slot must hold the same text: '${name}' and '${text}'`);
  }
  return { name, occurrences: sorted.map((r) => ({ start: r.start, end: r.end, group: group(r.start) })) };
}

/** Checks that slots do not overlap or share a name; throws `PromptSetTemplateError` naming them. */
export function checkSlots(slots: readonly TemplateSlot[]): void {
  if (slots.length === 0) throw new PromptSetTemplateError('the template has no slots to fill');
  const names = new Set<string>();
  for (const s of slots) {
    if (names.has(s.name)) throw new PromptSetTemplateError(`slot '${s.name}' is given twice`);
    names.add(s.name);
  }
  const all = slots.flatMap((s) => s.occurrences.map((o) => ({ ...o, name: s.name }))).sort((a, b) => a.start - b.start);
  for (let i = 1; i < all.length; i++) {
    if (all[i].start < all[i - 1].end) throw new PromptSetTemplateError(`slots '${all[i - 1].name}' and '${all[i].name}' overlap at ${all[i].start}`);
  }
}

/** The template with every occurrence replaced by `fill(slot, occurrence)`. */
export function fillTemplate(template: string, slots: readonly TemplateSlot[], fill: (slot: TemplateSlot, occurrence: SlotOccurrence) => string): string {
  return fillTemplateRanges(template, slots, fill).text;
}

/** `fillTemplate`, plus where each fill landed in the filled text. */
export function fillTemplateRanges(
  template: string,
  slots: readonly TemplateSlot[],
  fill: (slot: TemplateSlot, occurrence: SlotOccurrence) => string,
): { text: string; fills: (CharRange & { slot: string })[] } {
  const all = slots.flatMap((s) => s.occurrences.map((o) => ({ o, s }))).sort((a, b) => a.o.start - b.o.start);
  let text = '';
  let at = 0;
  const fills: (CharRange & { slot: string })[] = [];
  for (const { o, s } of all) {
    text += template.slice(at, o.start);
    const word = fill(s, o);
    fills.push({ start: text.length, end: text.length + word.length, slot: s.name });
    text += word;
    at = o.end;
  }
  return { text: text + template.slice(at), fills };
}
