/**
 * Validates a Swedish organisation number (organisationsnummer): ten digits, optionally
 * written NNNNNN-NNNN, whose last digit is the Luhn check digit of the first nine.
 * Returns the canonical `NNNNNN-NNNN` form, or undefined when invalid.
 */
export function canonicalOrgNumber(input: string): string | undefined {
  const compact = input.replace(/[\s-]/g, '');
  const digits = compact.length === 12 && compact.startsWith('16') ? compact.slice(2) : compact;
  if (!/^\d{10}$/.test(digits)) return undefined;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let d = Number(digits[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  const check = (10 - (sum % 10)) % 10;
  if (check !== Number(digits[9])) return undefined;
  return `${digits.slice(0, 6)}-${digits.slice(6)}`;
}
