import { createHash } from 'node:crypto';

/** Folds text for matching: lower case, no diacritics (å→a, ö→o), single spaces, no punctuation. */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9@.\s-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The network-wide id of an organisation, derived from its organisation number or, without
 * one, from its folded name. Every hub derives the same id for the same organisation, with no
 * call to a central registry, so reports can follow an agency across hubs (and accounts).
 */
export function organisationId(org: { orgNumber?: string | undefined; name: string }): string {
  const basis = org.orgNumber ? `orgnr:${org.orgNumber}` : `name:${fold(org.name)}`;
  return `org_${createHash('sha256').update(basis).digest('hex').slice(0, 24)}`;
}

/** Search tokens of a member: the words of name and organisation, the e-mail and its local part. */
export function searchTokens(member: { name: string; email?: string | undefined }, organisationName: string): string[] {
  const words = `${fold(member.name)} ${fold(organisationName)}`.split(/[\s.-]+/).filter((w) => w.length >= 2);
  const email = member.email?.toLowerCase();
  return [...new Set([...words, ...(email ? [email, email.split('@')[0] ?? ''] : [])])].filter(Boolean).slice(0, 20);
}

/** The folded words of a search query; the longest one drives the index lookup. */
export function queryWords(q: string): string[] {
  return fold(q)
    .split(/[\s]+/)
    .filter((w) => w.length > 0);
}
