/**
 * EventBridge event-pattern matching, following the documented semantics of content
 * filtering (EventBridge user guide, "Comparison operators for use in event patterns"):
 * exact values (strings, numbers, booleans, null, ""), prefix and suffix (optionally
 * ignoring case), anything-but (values, lists, prefix, suffix, equals-ignore-case, wildcard),
 * numeric ranges, exists, equals-ignore-case, wildcard, IPv4/IPv6 cidr and `$or`.
 * Pipes filters use the same matcher.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Pattern = { [k: string]: unknown };

/** A pattern that does not follow the documented grammar. */
export class InvalidPatternError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Returns true when `event` matches `pattern`. Throws InvalidPatternError for a malformed pattern. */
export function matches(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) throw new InvalidPatternError('A pattern must be a JSON object');
  if (!validated.has(pattern)) {
    validatePattern(pattern);
    validated.add(pattern);
  }
  return matchObject(pattern, isObject(event) ? event : {});
}

const validated = new WeakSet<object>();

/** Checks a whole pattern against the grammar, whatever event it will meet. */
export function validatePattern(pattern: unknown): void {
  if (!isObject(pattern)) throw new InvalidPatternError('A pattern must be a JSON object');
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(rule) || rule.length < 2) throw new InvalidPatternError('"$or" takes an array of at least two patterns');
      rule.forEach(validatePattern);
    } else if (Array.isArray(rule)) {
      if (rule.length === 0) throw new InvalidPatternError(`Empty match list for "${key}"`);
      // Every matcher is tried once against a probe value: operators and arguments are checked
      // by the same code that matches, so grammar and matching cannot drift apart.
      for (const m of rule) {
        if (isObject(m) && 'exists' in m) {
          if (typeof m.exists !== 'boolean' || Object.keys(m).length !== 1) throw new InvalidPatternError('"exists" takes true or false');
        } else matchOne(m, PROBE);
      }
    } else if (isObject(rule)) validatePattern(rule);
    else throw new InvalidPatternError(`The value of "${key}" must be an array of matchers or an object`);
  }
}

const PROBE = Symbol('probe');

function matchObject(pattern: Pattern, event: Record<string, unknown>): boolean {
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(rule) || rule.length < 2) throw new InvalidPatternError('"$or" takes an array of at least two patterns');
      if (!rule.some((alt) => matchObject(alt as Pattern, event))) return false;
      continue;
    }
    const value = event[key];
    if (Array.isArray(rule)) {
      if (rule.length === 0) throw new InvalidPatternError(`Empty match list for "${key}"`);
      if (!matchLeaf(rule, value, key in event)) return false;
    } else if (isObject(rule)) {
      // Nested pattern: a missing or non-object field is matched as an empty object, so that
      // `exists: false` below it still holds and everything else fails.
      if (!matchObject(rule, isObject(value) ? value : {})) return false;
    } else {
      throw new InvalidPatternError(`The value of "${key}" must be an array of matchers or an object`);
    }
  }
  return true;
}

function matchLeaf(matchers: unknown[], value: unknown, present: boolean): boolean {
  const values: unknown[] = Array.isArray(value) ? value : [value];
  return matchers.some((m) => {
    if (isObject(m) && 'exists' in m) {
      if (typeof m.exists !== 'boolean') throw new InvalidPatternError('"exists" takes true or false');
      const leafPresent = present && value !== undefined && !isObject(value);
      return m.exists ? leafPresent : !present || value === undefined;
    }
    if (!present) return false;
    if (Array.isArray(value) && value.length === 0) return false;
    return values.some((v) => matchOne(m, v));
  });
}

function matchOne(m: unknown, v: unknown): boolean {
  if (m === null || typeof m === 'string' || typeof m === 'boolean') return v === m;
  if (typeof m === 'number') return typeof v === 'number' && v === m;
  if (!isObject(m)) throw new InvalidPatternError(`Unsupported matcher ${JSON.stringify(m)}`);
  const keys = Object.keys(m);
  if (keys.length !== 1) throw new InvalidPatternError(`A matcher object has exactly one operator: ${JSON.stringify(m)}`);
  const op = keys[0] as string;
  const arg = m[op];
  switch (op) {
    case 'prefix':
    case 'suffix':
      return affix(arg, v, op);
    case 'equals-ignore-case':
      if (typeof arg !== 'string') throw new InvalidPatternError('"equals-ignore-case" takes a string');
      return typeof v === 'string' && v.toLowerCase() === arg.toLowerCase();
    case 'wildcard':
      if (typeof arg !== 'string') throw new InvalidPatternError('"wildcard" takes a string');
      return typeof v === 'string' && wildcard(arg).test(v);
    case 'numeric':
      return numeric(arg, v);
    case 'cidr':
      if (typeof arg !== 'string') throw new InvalidPatternError('"cidr" takes a string');
      return cidr(arg, v);
    case 'anything-but':
      return anythingBut(arg, v);
    default:
      throw new InvalidPatternError(`Unknown operator "${op}"`);
  }
}

function affix(arg: unknown, v: unknown, kind: 'prefix' | 'suffix'): boolean {
  let needle: string;
  let ignoreCase = false;
  if (typeof arg === 'string') needle = arg;
  else if (isObject(arg) && typeof arg['equals-ignore-case'] === 'string') {
    needle = arg['equals-ignore-case'];
    ignoreCase = true;
  } else throw new InvalidPatternError(`"${kind}" takes a string or {"equals-ignore-case": string}`);
  if (typeof v !== 'string') return false;
  const hay = ignoreCase ? v.toLowerCase() : v;
  const n = ignoreCase ? needle.toLowerCase() : needle;
  return kind === 'prefix' ? hay.startsWith(n) : hay.endsWith(n);
}

function anythingBut(arg: unknown, v: unknown): boolean {
  if (v === undefined) return false;
  if (Array.isArray(arg)) {
    if (arg.length === 0) throw new InvalidPatternError('"anything-but" list must not be empty');
    return !arg.some((a) => a === v);
  }
  if (typeof arg === 'string' || typeof arg === 'number') return arg !== v;
  if (isObject(arg)) {
    const [op, inner] = Object.entries(arg)[0] ?? [];
    switch (op) {
      case 'prefix':
        return typeof v === 'string' && typeof inner === 'string' && !v.startsWith(inner);
      case 'suffix':
        return typeof v === 'string' && typeof inner === 'string' && !v.endsWith(inner);
      case 'equals-ignore-case': {
        const list = Array.isArray(inner) ? inner : [inner];
        return typeof v === 'string' && !list.some((s) => typeof s === 'string' && s.toLowerCase() === v.toLowerCase());
      }
      case 'wildcard': {
        const list = Array.isArray(inner) ? inner : [inner];
        return typeof v === 'string' && !list.some((s) => typeof s === 'string' && wildcard(s).test(v));
      }
    }
  }
  throw new InvalidPatternError(`Unsupported "anything-but" argument ${JSON.stringify(arg)}`);
}

const NUMERIC_OPS: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '=': (a, b) => a === b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function numeric(arg: unknown, v: unknown): boolean {
  if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0) throw new InvalidPatternError('"numeric" takes operator/number pairs');
  const checks = [];
  for (let i = 0; i < arg.length; i += 2) {
    const fn = NUMERIC_OPS[String(arg[i])];
    const bound = arg[i + 1];
    if (!fn || typeof bound !== 'number') throw new InvalidPatternError(`Bad numeric comparison ${JSON.stringify(arg.slice(i, i + 2))}`);
    checks.push((x: number) => fn(x, bound));
  }
  return typeof v === 'number' && checks.every((c) => c(v));
}

const wildcardCache = new Map<string, RegExp>();
function wildcard(glob: string): RegExp {
  let re = wildcardCache.get(glob);
  if (!re) {
    let src = '';
    for (let i = 0; i < glob.length; i++) {
      const c = glob[i] as string;
      if (c === '\\' && (glob[i + 1] === '*' || glob[i + 1] === '\\')) src += `\\${glob[++i]}`;
      else if (c === '*') src += '.*';
      else src += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
    re = new RegExp(`^${src}$`, 's');
    wildcardCache.set(glob, re);
  }
  return re;
}

function ipv4ToBigInt(ip: string): bigint | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function ipv6ToBigInt(ip: string): bigint | undefined {
  const [head = '', tail, extra] = ip.toLowerCase().split('::');
  if (extra !== undefined) return undefined;
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const missing = 8 - h.length - t.length;
  if ((tail === undefined && missing !== 0) || missing < 0) return undefined;
  const groups = [...h, ...Array(tail === undefined ? 0 : missing).fill('0'), ...t];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function cidr(range: string, ip: unknown): boolean {
  const [base = '', bitsText] = range.split('/');
  const v6 = base.includes(':');
  const width = v6 ? 128 : 32;
  const bits = bitsText === undefined ? width : Number(bitsText);
  const parse = v6 ? ipv6ToBigInt : ipv4ToBigInt;
  const b = parse(base);
  if (b === undefined || !Number.isInteger(bits) || bits < 0 || bits > width) throw new InvalidPatternError(`Bad cidr "${range}"`);
  if (typeof ip !== 'string') return false;
  const a = parse(ip);
  if (a === undefined) return false;
  const shift = BigInt(width - bits);
  return a >> shift === b >> shift;
}

export type { Json };
