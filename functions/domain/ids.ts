import { randomInt, randomUUID } from 'node:crypto';

/** Member-code alphabet: no 0/O, 1/I/L or U, so codes read back unambiguously aloud and on paper. */
export const MEMBER_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Member codes are this long: 30^8 ≈ 6.6·10^11 codes. */
export const MEMBER_CODE_LENGTH = 8;

/** A new random member code such as `K7QX4M2P`. */
export function newMemberCode(): string {
  let code = '';
  for (let i = 0; i < MEMBER_CODE_LENGTH; i++) code += MEMBER_CODE_ALPHABET[randomInt(MEMBER_CODE_ALPHABET.length)];
  return code;
}

/** Normalises what staff type or a scanner reads (lower case, spaces, dashes) to a member code. */
export function normaliseMemberCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '');
}

/** A new id with a readable prefix, e.g. `mem_0b9c…`. */
export function newId(prefix: 'org' | 'mem' | 'vis' | 'agr' | 'bkg' | 'ser' | 'apr' | 'evt' | 'reg'): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`;
}
