/**
 * The shipped model was trained on Python with a small vocabulary: English prose splits into short
 * fragments. The panel says so (once) when the selection looks like prose. Pure: session.ts decides when.
 */
import { SHIPPED_MODEL_NAME } from '../../model/shippedModel';

/** Characters common in code and rare in prose. */
const CODE_CHARS = /[{}[\]()<>=;_#$\\|`*/+]/g;

/** Whether `text` reads as prose rather than code: mostly words, almost no code punctuation. */
export function looksLikeProse(text: string): boolean {
  const t = text.trim();
  const words = t.match(/\p{L}{2,}/gu) ?? [];
  if (words.length < 6) return false;
  const codeChars = (t.match(CODE_CHARS) ?? []).length;
  if (codeChars / t.length > 0.01) return false;
  // words, spaces and sentence punctuation make up nearly all of it
  const proseChars = (t.match(/[\p{L}\s.,;:'"’!?-]/gu) ?? []).length;
  return proseChars / t.length >= 0.9;
}

export const SHIPPED_PROSE_NOTICE =
  `${SHIPPED_MODEL_NAME}, the shipped model, was trained on Python code with a small vocabulary: English prose splits into short fragments. ` +
  'For prose, select a GPT-2 model (Select Model).';
