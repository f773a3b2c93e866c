/**
 * Words that are no counterfactual for a content word or a name. A substitution asks "what if this
 * token were a different one of its kind"; swapping ` low` for ` the` or `param` for `This` changes
 * the grammar of the prompt, not its content, so such suggestions are left out for content words
 * and identifiers (a function word may still get other function words).
 *
 * FUNCTION_WORDS: English determiners, pronouns, prepositions, conjunctions, auxiliary and modal
 * verbs, and the commonest adverbial particles (written from a grammar's closed classes; lowercase).
 * PYTHON_BUILTINS: names of Python's builtins module that code reads as fixed names (`len`, `print`,
 * `str`): an identifier that is not one of them does not get one.
 */

export const FUNCTION_WORDS: ReadonlySet<string> = new Set(
  [
    // determiners and quantifiers
    'a an the this that these those my your his her its our their whose which what whatever',
    'some any no every each either neither all both few many much more most less least several such',
    'another other enough',
    // pronouns
    'i me mine you yours he him she hers it we us ours they them theirs',
    'myself yourself himself herself itself ourselves yourselves themselves',
    'who whom whoever someone somebody something anyone anybody anything everyone everybody',
    'everything nobody nothing none one ones',
    // prepositions
    'about above across after against along amid among around as at before behind below beneath',
    'beside besides between beyond by despite down during except for from in inside into like near',
    'of off on onto out outside over past per since than through throughout till to toward towards',
    'under underneath unlike until up upon via with within without',
    // conjunctions
    'and but or nor so yet because although though unless whereas while whether if once when',
    'whenever where wherever how why then',
    // auxiliaries and modals
    'be am is are was were been being have has had having do does did done doing',
    'can could may might must shall should will would ought',
    // particles and adverbs that work like function words
    'not also just only very too here there now again ever still even already almost quite rather',
  ]
    .join(' ')
    .split(' '),
);

export const PYTHON_BUILTINS: ReadonlySet<string> = new Set(
  [
    'abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile',
    'complex delattr dict dir divmod enumerate eval exec filter float format frozenset getattr globals',
    'hasattr hash help hex id input int isinstance issubclass iter len list locals map max memoryview',
    'min next object oct open ord pow print property range repr reversed round set setattr slice',
    'sorted staticmethod str sum super tuple type vars zip',
  ]
    .join(' ')
    .split(' '),
);

/** Whether a word (any case, no leading space) is a function word. */
export function isFunctionWord(word: string): boolean {
  return FUNCTION_WORDS.has(word.toLowerCase());
}
