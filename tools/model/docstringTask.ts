/** The docstring task's prompt template (after Heimersheim & Janiak's docstring circuit). */
export function docstringPrompt(fn: string, args: readonly [string, string, string], words: readonly string[]): string {
  const [a, b, c] = args;
  return (
    `def ${fn}(self, ${a}, ${b}, ${c}):\n` +
    `    """${words[0]} ${words[1]} ${words[2]}\n\n` +
    `    :param ${a}: ${words[3]} ${words[4]}\n` +
    `    :param ${b}: ${words[5]} ${words[6]}\n` +
    `    :param`
  );
}
