/**
 * A token with one character of its signature changed. The last two characters are not used: the
 * token's own could already be "AA", and the last one carries padding bits, so a change there can
 * leave the decoded signature as it was.
 */
export function tamperSignature(token: string): string {
  const i = token.length - 10;
  return token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1);
}
