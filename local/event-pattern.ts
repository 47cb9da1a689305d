/**
 * EventBridge event-pattern matching, following the documented semantics of content
 * filtering (EventBridge user guide, "Comparison operators for use in event patterns"):
 * exact values (strings, numbers, booleans, null, ""), prefix and suffix (optionally
 * ignoring case), anything-but (values, lists, prefix, suffix, equals-ignore-case, wildcard),
 * numeric ranges, exists, equals-ignore-case, wildcard, IPv4/IPv6 cidr and `$or`.
 * Pipes filters use the same matcher. Where the guide is silent, aws/event-ruler (which
 * implements it) decides: arrays in the event are crushed out (a nested pattern matches an
 * element of an array of objects, all its fields within one element), `exists` sees leaf
 * values only, anything-but matches every value of another type, and the grammar checks
 * of its JsonRuleCompiler apply when a pattern is compiled.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Pattern = { [k: string]: unknown };

/** A pattern that does not follow the documented grammar. */
export class InvalidPatternError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Returns true when `event` matches `pattern`. Throws InvalidPatternError for a pattern that
 * EventBridge would refuse, whatever the event (the pattern is compiled once and cached).
 */
export function matches(pattern: unknown, event: unknown): boolean {
  return compilePattern(pattern)(isObject(event) ? event : {});
}

type Predicate = (event: Record<string, unknown>) => boolean;
const compiled = new WeakMap<object, Predicate>();

/** Checks a whole pattern against the grammar, whatever event it will meet. */
export function validatePattern(pattern: unknown): void {
  compilePattern(pattern);
}

/**
 * Compiles a pattern into a predicate, checking it the way EventBridge does when a rule is
 * created (aws/event-ruler's JsonRuleCompiler): a malformed pattern throws InvalidPatternError
 * with the reason, before any event is seen.
 */
export function compilePattern(pattern: unknown): Predicate {
  if (!isObject(pattern)) throw new InvalidPatternError('A pattern must be a JSON object');
  let fn = compiled.get(pattern);
  if (!fn) {
    fn = compileObject(pattern);
    compiled.set(pattern, fn);
  }
  return fn;
}

/** Every value of a field, with arrays (and arrays of arrays) crushed out. */
const flatten = (value: unknown): unknown[] => (Array.isArray(value) ? value.flat(Infinity) : [value]);

function compileObject(pattern: Pattern): Predicate {
  const checks: Predicate[] = [];
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(rule) || rule.length < 2) throw new InvalidPatternError('"$or" takes an array of at least two patterns');
      const alternatives = rule.map((alt) => {
        if (!isObject(alt)) throw new InvalidPatternError('Each "$or" alternative must be a pattern object');
        return compileObject(alt);
      });
      checks.push((event) => alternatives.some((alt) => alt(event)));
    } else if (Array.isArray(rule)) {
      if (rule.length === 0) throw new InvalidPatternError(`Empty match list for "${key}"`);
      const leaf = compileLeaf(rule);
      checks.push((event) => leaf(event[key]));
    } else if (isObject(rule)) {
      if (Object.keys(rule).length === 0) throw new InvalidPatternError(`Empty objects are not allowed ("${key}")`);
      const nested = compileObject(rule);
      // A nested pattern looks into an object, or into each object of an array (array
      // consistency: all its fields must match within one element). A missing or non-object
      // field is matched as an empty object, so that `exists: false` below it still holds.
      checks.push((event) => {
        const objects = flatten(event[key]).filter(isObject);
        return objects.length === 0 ? nested({}) : objects.some(nested);
      });
    } else {
      throw new InvalidPatternError(`The value of "${key}" must be an array of matchers or an object`);
    }
  }
  return (event) => checks.every((c) => c(event));
}

type ValueTest = (v: unknown) => boolean;

function compileLeaf(matchers: unknown[]): (value: unknown) => boolean {
  const tests = matchers.map((m): ((value: unknown) => boolean) => {
    if (isObject(m) && 'exists' in m) {
      if (typeof m.exists !== 'boolean' || Object.keys(m).length !== 1) throw new InvalidPatternError('"exists" takes true or false');
      // Exists works on leaf values only: an object (or an array of nothing but objects) is
      // not a leaf, so for exists it is absent.
      const want = m.exists;
      return (value) => flatten(value).some((v) => v !== undefined && !isObject(v)) === want;
    }
    const test = compileMatcher(m);
    return (value) => flatten(value).some((v) => v !== undefined && !isObject(v) && test(v));
  });
  return (value) => tests.some((t) => t(value));
}

function compileMatcher(m: unknown): ValueTest {
  if (m === null || typeof m === 'string' || typeof m === 'boolean') return (v) => v === m;
  if (typeof m === 'number') return (v) => typeof v === 'number' && v === m;
  if (!isObject(m)) throw new InvalidPatternError(`Match value must be a string, number, true, false or null, or a matcher object: ${JSON.stringify(m)}`);
  const keys = Object.keys(m);
  if (keys.length !== 1) throw new InvalidPatternError(`A matcher object has exactly one operator: ${JSON.stringify(m)}`);
  const op = keys[0] as string;
  const arg = m[op];
  switch (op) {
    case 'prefix':
    case 'suffix':
      return affix(arg, op);
    case 'equals-ignore-case': {
      if (typeof arg !== 'string') throw new InvalidPatternError('"equals-ignore-case" takes a string');
      const lower = arg.toLowerCase();
      return (v) => typeof v === 'string' && v.toLowerCase() === lower;
    }
    case 'wildcard': {
      if (typeof arg !== 'string') throw new InvalidPatternError('"wildcard" takes a string');
      const re = wildcard(arg);
      return (v) => typeof v === 'string' && re.test(v);
    }
    case 'numeric':
      return numeric(arg);
    case 'cidr':
      if (typeof arg !== 'string') throw new InvalidPatternError('"cidr" takes a string');
      return cidr(arg);
    case 'anything-but':
      return anythingBut(arg);
    default:
      throw new InvalidPatternError(`Unknown operator "${op}"`);
  }
}

function affix(arg: unknown, kind: 'prefix' | 'suffix'): ValueTest {
  let needle: string;
  let ignoreCase = false;
  if (typeof arg === 'string') needle = arg;
  else if (isObject(arg) && Object.keys(arg).length === 1 && typeof arg['equals-ignore-case'] === 'string') {
    needle = arg['equals-ignore-case'];
    ignoreCase = true;
  } else throw new InvalidPatternError(`"${kind}" takes a string or {"equals-ignore-case": string}`);
  const n = ignoreCase ? needle.toLowerCase() : needle;
  return (v) => {
    if (typeof v !== 'string') return false;
    const hay = ignoreCase ? v.toLowerCase() : v;
    return kind === 'prefix' ? hay.startsWith(n) : hay.endsWith(n);
  };
}

/**
 * `anything-but` matches every value that is not excluded, whatever its type: a number,
 * boolean or null is never "a string with this prefix", so it matches anything-but prefix.
 * Grammar as EventBridge's: a string, a number, or a non-empty list of all strings or all
 * numbers; or an object with exactly one of prefix, suffix, equals-ignore-case, wildcard,
 * taking a string or a non-empty list of strings.
 */
function anythingBut(arg: unknown): ValueTest {
  if (typeof arg === 'string' || typeof arg === 'number') return (v) => v !== arg;
  if (Array.isArray(arg)) {
    if (arg.length === 0) throw new InvalidPatternError('"anything-but" list must not be empty');
    const allStrings = arg.every((a) => typeof a === 'string');
    const allNumbers = arg.every((a) => typeof a === 'number');
    if (!allStrings && !allNumbers) throw new InvalidPatternError(`"anything-but" list must be all strings or all numbers: ${JSON.stringify(arg)}`);
    const excluded = new Set<unknown>(arg);
    return (v) => !excluded.has(v);
  }
  if (!isObject(arg)) throw new InvalidPatternError(`"anything-but" takes a string, a number or a list of them, or an operator object; got ${JSON.stringify(arg)}`);
  const keys = Object.keys(arg);
  if (keys.length !== 1) throw new InvalidPatternError(`"anything-but" takes exactly one operator: ${JSON.stringify(arg)}`);
  const op = keys[0] as string;
  if (!['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(op)) throw new InvalidPatternError(`Unsupported "anything-but" operator "${op}"`);
  const inner = arg[op];
  const list = Array.isArray(inner) ? inner : [inner];
  if (list.length === 0) throw new InvalidPatternError(`"anything-but" "${op}" list must not be empty`);
  if (!list.every((s): s is string => typeof s === 'string')) throw new InvalidPatternError(`"anything-but" "${op}" takes a string or a list of strings`);
  let excludes: ValueTest;
  switch (op) {
    case 'prefix':
    case 'suffix':
      if (list.some((s) => s === '')) throw new InvalidPatternError(`"anything-but" "${op}" must not be empty`);
      excludes = (v) => list.some((s) => (op === 'prefix' ? (v as string).startsWith(s) : (v as string).endsWith(s)));
      break;
    case 'equals-ignore-case': {
      const lower = list.map((s) => s.toLowerCase());
      excludes = (v) => lower.includes((v as string).toLowerCase());
      break;
    }
    default: {
      const res = list.map(wildcard);
      excludes = (v) => res.some((re) => re.test(v as string));
    }
  }
  return (v) => typeof v !== 'string' || !excludes(v);
}

const NUMERIC_OPS: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '=': (a, b) => a === b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function numeric(arg: unknown): ValueTest {
  if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0) throw new InvalidPatternError('"numeric" takes operator/number pairs');
  const checks: Array<(x: number) => boolean> = [];
  for (let i = 0; i < arg.length; i += 2) {
    const fn = NUMERIC_OPS[String(arg[i])];
    const bound = arg[i + 1];
    if (!fn || typeof bound !== 'number') throw new InvalidPatternError(`Bad numeric comparison ${JSON.stringify(arg.slice(i, i + 2))}`);
    checks.push((x: number) => fn(x, bound));
  }
  return (v) => typeof v === 'number' && checks.every((c) => c(v));
}

const wildcardCache = new Map<string, RegExp>();
function wildcard(glob: string): RegExp {
  let re = wildcardCache.get(glob);
  if (!re) {
    let src = '';
    for (let i = 0; i < glob.length; i++) {
      const c = glob[i] as string;
      if (c === '\\') {
        // Only \* and \\ are escapes; EventBridge refuses any other backslash.
        if (glob[i + 1] !== '*' && glob[i + 1] !== '\\') throw new InvalidPatternError(`Invalid escape character at pos ${i} of wildcard "${glob}"`);
        src += `\\${glob[++i]}`;
      } else if (c === '*') {
        if (glob[i + 1] === '*') throw new InvalidPatternError(`Consecutive wildcard characters at pos ${i} of wildcard "${glob}"`);
        src += '.*';
      } else src += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
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

function cidr(range: string): ValueTest {
  const [base = '', bitsText] = range.split('/');
  const v6 = base.includes(':');
  const width = v6 ? 128 : 32;
  const bits = bitsText === undefined ? width : Number(bitsText);
  const parse = v6 ? ipv6ToBigInt : ipv4ToBigInt;
  const b = parse(base);
  if (b === undefined || !Number.isInteger(bits) || bits < 0 || bits > width) throw new InvalidPatternError(`Bad cidr "${range}"`);
  const shift = BigInt(width - bits);
  return (ip) => {
    if (typeof ip !== 'string') return false;
    const a = parse(ip);
    return a !== undefined && a >> shift === b >> shift;
  };
}

type Templates = Record<string, { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> }>;

/**
 * Checks every event pattern of a set of templates (rules, archives, pipe filters) the way
 * EventBridge does when the stack is deployed, so that the local runtime refuses at load what
 * a deployment would refuse. `resolve` resolves intrinsics in a stack's property values.
 */
export function checkTemplatePatterns(templates: Templates, resolve: (stack: string, value: unknown) => unknown = (_s, v) => v): void {
  const check = (where: string, raw: unknown) => {
    try {
      validatePattern(typeof raw === 'string' ? JSON.parse(raw) : raw);
    } catch (e) {
      if (e instanceof InvalidPatternError || e instanceof SyntaxError) throw new InvalidPatternError(`${where}: event pattern is not valid: ${e.message}`);
      throw e;
    }
  };
  for (const [stack, t] of Object.entries(templates)) {
    for (const [id, r] of Object.entries(t.Resources)) {
      const where = `${r.Type} ${stack}/${id}`;
      if (r.Type === 'AWS::Events::Rule' || r.Type === 'AWS::Events::Archive') {
        const pattern = r.Properties?.EventPattern;
        if (pattern !== undefined) check(where, resolve(stack, pattern));
      } else if (r.Type === 'AWS::Pipes::Pipe') {
        const filters = (resolve(stack, r.Properties?.SourceParameters ?? {}) as { FilterCriteria?: { Filters?: Array<{ Pattern?: unknown }> } }).FilterCriteria?.Filters ?? [];
        for (const f of filters) check(where, f.Pattern);
      }
    }
  }
}

export type { Json };
