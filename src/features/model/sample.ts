/** The walkthrough's sample: shipped in the .vsix (see .vscodeignore). No `vscode` import (unit tests read it). */

/** Its path inside the extension. */
export const SAMPLE_PATH = ['samples', 'docstring_example.py'] as const;
/** The text Open Sample selects, ready for Inspect Attention. */
export const SAMPLE_SELECTION = ':param self: the rectangle to scale';
