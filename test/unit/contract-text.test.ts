import { describe, expect, it } from 'vitest';
import { CreateAgencyPresenceBody, line, multiline } from '../../functions/api/contract.ts';

describe('the text helpers every string field of a body or query goes through', () => {
  const bad = ['\u0000', '\u0001', '\u001b', '\u007f', '\u0080', '\u009f', '\u2028', '\u2029', '\ud800', '\udfff', '\udc00\ud800'];

  it('line(): refuses C0 (tab and line breaks too), DEL, C1, U+2028/2029 and unpaired surrogates inside the text', () => {
    for (const c of [...bad, '\t', '\n', '\r']) expect(line(50).safeParse(`a${c}b`).success, JSON.stringify(c)).toBe(false);
  });

  it('multiline(): takes tabs and line breaks, refuses the rest', () => {
    expect(multiline(50).parse('Tisdagar\n\tkl 9–12\r\nvälkommen')).toBe('Tisdagar\n\tkl 9–12\r\nvälkommen');
    for (const c of bad) expect(multiline(50).safeParse(`a${c}b`).success, JSON.stringify(c)).toBe(false);
  });

  it('both take any well-formed text: letters of every script, emoji (surrogate pairs), NBSP', () => {
    for (const ok of ['Åsa Öberg', 'Ñúñez', '李小龍', '😀👍🏽', 'a\u00a0b', 'Zoë – “quoted”']) {
      expect(line(50).parse(ok)).toBe(ok);
      expect(multiline(50).parse(ok)).toBe(ok);
    }
  });

  it('description fields are multi-line', () => {
    const base = { resourceId: 'r', memberId: 'm', organisationId: 'o', start: '2026-03-03T09:00:00+01:00', end: '2026-03-03T12:00:00+01:00', until: '2026-04-01' };
    expect(CreateAgencyPresenceBody.safeParse({ ...base, description: 'Rad ett\nRad två' }).success).toBe(true);
    expect(CreateAgencyPresenceBody.safeParse({ ...base, description: 'Rad ett\u0000' }).success).toBe(false);
  });
});
