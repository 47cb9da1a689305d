import * as z from 'zod';

// Text fields take no C0 control characters (multi-line text: but tab, LF and CR), no DEL, C1,
// U+2028/U+2029, no bidirectional embeddings, overrides or isolates (U+202A–U+202E, U+2066–U+2069:
// they turn a name around on screen, "\u202eevil" shows as "live"), and no unpaired surrogates
// (not well-formed Unicode; stored as U+FFFD otherwise).
// biome-ignore lint/suspicious/noControlCharactersInRegex: the pattern exists to refuse control characters
const SINGLE_LINE = /^(?:[^\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the pattern exists to refuse control characters
const MULTI_LINE = /^(?:[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;

/** One line of text, trimmed, at most `max` characters (may be empty): every string field of a body or query goes through this or {@link multiline}. */
export const line = (max: number) =>
  z.string().trim().max(max, `At most ${max} characters`).regex(SINGLE_LINE, 'No control characters (line breaks, tabs, NUL, text-direction overrides…) or unpaired surrogates');

/** Multi-line text (tabs and line breaks allowed), trimmed, 1 to `max` characters. */
export const multiline = (max: number) =>
  z.string().trim().min(1, 'Required, must not be empty').max(max, `At most ${max} characters`).regex(MULTI_LINE, 'No control characters other than tabs and line breaks (no text-direction overrides), or unpaired surrogates');

/** One line of text, trimmed, 1 to `max` characters. */
export const trimmed = (max: number) => line(max).min(1, 'Required, must not be empty');
