import { describe, expect, inject, it } from 'vitest';
import type { CfnTemplate } from '../../local/cfn.ts';
import { checkTemplatePatterns, InvalidPatternError, matches, validatePattern } from '../../local/event-pattern.ts';
import { readFileSync } from 'node:fs';
import { startNetwork } from '../../local/network.ts';

// Examples follow the EventBridge user guide ("Comparison operators for use in event patterns"
// and "Content filtering in Amazon EventBridge event patterns").
const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated', 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.123' },
};

describe('exact and structural matching', () => {
  it('matches exact values and requires every field (And)', () => {
    expect(matches({ source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] }, ec2Event)).toBe(true);
    expect(matches({ source: ['aws.ec2'], 'detail-type': ['Something else'] }, ec2Event)).toBe(false);
  });

  it('matches any value of a list (Or within a field)', () => {
    expect(matches({ detail: { state: ['running', 'terminated'] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { state: ['running', 'pending'] } }, ec2Event)).toBe(false);
  });

  it('matches when any element of an array field matches', () => {
    expect(matches({ resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0', 'x'] }, ec2Event)).toBe(true);
    expect(matches({ resources: ['nope'] }, ec2Event)).toBe(false);
  });

  it('matches numbers numerically and strings exactly (case-sensitive)', () => {
    expect(matches({ detail: { 'c-count': [5] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { 'c-count': ['5'] } }, ec2Event)).toBe(false);
    expect(matches({ source: ['AWS.EC2'] }, ec2Event)).toBe(false);
  });

  it('matches null and empty string values (Null, Empty)', () => {
    expect(matches({ detail: { UserID: [null] } }, { detail: { UserID: null } })).toBe(true);
    expect(matches({ detail: { UserID: [null] } }, { detail: {} })).toBe(false);
    expect(matches({ detail: { LastName: [''] } }, { detail: { LastName: '' } })).toBe(true);
    expect(matches({ detail: { LastName: [''] } }, { detail: { LastName: 'Doe' } })).toBe(false);
  });

  it('does not match a nested pattern against a missing object', () => {
    expect(matches({ detail: { state: ['terminated'] } }, { source: 'x' })).toBe(false);
  });

  it('matches a nested pattern into an array of objects (any element)', () => {
    const event = { detail: { items: [{ sku: 'B2' }, { sku: 'A1' }] } };
    expect(matches({ detail: { items: { sku: ['A1'] } } }, event)).toBe(true);
    expect(matches({ detail: { items: { sku: ['C3'] } } }, event)).toBe(false);
    expect(matches({ employees: { firstName: ['Anna'] } }, { employees: [[{ firstName: 'John' }], [{ firstName: 'Anna' }]] })).toBe(true);
  });

  it('matches the fields of one nested pattern within one array element (array consistency)', () => {
    const event = { employees: [{ firstName: 'John', lastName: 'Doe' }, { firstName: 'Anna', lastName: 'Smith' }] };
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, event)).toBe(true);
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Doe'] } }, event)).toBe(false);
  });
});

describe('prefix and suffix', () => {
  it('matches a prefix ("time" starting with 2017-10-02)', () => {
    expect(matches({ time: [{ prefix: '2017-12-22' }] }, ec2Event)).toBe(true);
    expect(matches({ time: [{ prefix: '2017-10-02' }] }, ec2Event)).toBe(false);
  });

  it('matches a prefix ignoring case', () => {
    expect(matches({ detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, { detail: { service: 'eventbridge' } })).toBe(true);
    expect(matches({ detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, { detail: { service: 'lambda' } })).toBe(false);
  });

  it('matches a suffix (FileName ending in .png), and ignoring case', () => {
    expect(matches({ FileName: [{ suffix: '.png' }] }, { FileName: 'image.png' })).toBe(true);
    expect(matches({ FileName: [{ suffix: '.png' }] }, { FileName: 'image.PNG' })).toBe(false);
    expect(matches({ detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, { detail: { FileName: 'image.PNG' } })).toBe(true);
  });

  it('applies prefix only to strings', () => {
    expect(matches({ detail: { 'c-count': [{ prefix: '5' }] } }, ec2Event)).toBe(false);
  });

  it('matches a prefix case-sensitively', () => {
    expect(matches({ time: [{ prefix: '2017-12-22T' }] }, ec2Event)).toBe(true);
    expect(matches({ time: [{ prefix: '2017-12-22t' }] }, ec2Event)).toBe(false);
    expect(matches({ source: [{ prefix: 'AWS.' }] }, ec2Event)).toBe(false);
  });
});

describe('anything-but', () => {
  it('matches anything but a string, a number or a list', () => {
    expect(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': 'terminated' }] } }, ec2Event)).toBe(false);
    expect(matches({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } }, ec2Event)).toBe(false);
  });

  it('matches anything but a prefix ("Region is not in the US") or suffix', () => {
    expect(matches({ region: [{ 'anything-but': { prefix: 'us-' } }] }, ec2Event)).toBe(false);
    expect(matches({ region: [{ 'anything-but': { prefix: 'us-' } }] }, { region: 'eu-north-1' })).toBe(true);
    expect(matches({ FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.txt' })).toBe(true);
    expect(matches({ FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.png' })).toBe(false);
  });

  it('matches anything but, ignoring case, and anything but a wildcard', () => {
    expect(matches({ state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, { state: 'INITIALIZING' })).toBe(false);
    expect(matches({ state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] }, { state: 'Running' })).toBe(true);
    expect(matches({ FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: 'src/lib/a.ts' })).toBe(false);
    expect(matches({ FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: 'src/app/a.ts' })).toBe(true);
  });

  it('does not match a missing field', () => {
    expect(matches({ detail: { missing: [{ 'anything-but': 'x' }] } }, ec2Event)).toBe(false);
  });

  it.each<[string, unknown]>([
    ['prefix', { prefix: 'us-' }],
    ['suffix', { suffix: '.png' }],
    ['equals-ignore-case', { 'equals-ignore-case': 'x' }],
    ['wildcard', { wildcard: '*x*' }],
  ])('matches a number, a boolean or null with anything-but %s (it is not such a string)', (_op, inner) => {
    const pattern = { detail: { v: [{ 'anything-but': inner }] } };
    expect(matches(pattern, { detail: { v: 5 } })).toBe(true);
    expect(matches(pattern, { detail: { v: true } })).toBe(true);
    expect(matches(pattern, { detail: { v: false } })).toBe(true);
    expect(matches(pattern, { detail: { v: null } })).toBe(true);
    expect(matches(pattern, { detail: {} })).toBe(false);
  });
});

describe('numeric', () => {
  it('matches ranges (c-count > 0 and <= 5; d-count < 10; x-limit between 0 and 301.8)', () => {
    const pattern = {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['>=', 0, '<=', 301.8] }],
      },
    };
    expect(matches(pattern, ec2Event)).toBe(true);
    expect(matches({ detail: { 'c-count': [{ numeric: ['>', 5] }] } }, ec2Event)).toBe(false);
    expect(matches({ detail: { 'c-count': [{ numeric: ['=', 5] }] } }, ec2Event)).toBe(true);
  });

  it('does not match strings', () => {
    expect(matches({ detail: { state: [{ numeric: ['>', 0] }] } }, ec2Event)).toBe(false);
  });
});

describe('exists', () => {
  it('matches present and absent leaf fields', () => {
    expect(matches({ detail: { state: [{ exists: true }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { state: [{ exists: false }] } }, ec2Event)).toBe(false);
    expect(matches({ detail: { 'no-such': [{ exists: false }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { 'no-such': [{ exists: true }] } }, ec2Event)).toBe(false);
  });

  it('treats exists:false under a missing parent as a match', () => {
    expect(matches({ detail: { state: [{ exists: false }] } }, { source: 'x' })).toBe(true);
  });

  it('does not treat an object as an existing leaf', () => {
    expect(matches({ detail: [{ exists: true }] }, ec2Event)).toBe(false);
  });

  it('treats a field whose value is an object as absent for exists:false (leaf values only)', () => {
    const event = { detail: { 'c-count': { c1: 100 }, state: 'running' } };
    expect(matches({ detail: { 'c-count': [{ exists: false }] } }, event)).toBe(true);
    expect(matches({ detail: { 'c-count': [{ exists: true }] } }, event)).toBe(false);
    expect(matches({ detail: [{ exists: false }] }, ec2Event)).toBe(true);
  });
});

describe('equals-ignore-case, wildcard, cidr', () => {
  it('matches equals-ignore-case', () => {
    expect(matches({ 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] }, ec2Event)).toBe(true);
    expect(matches({ 'detail-type': [{ 'equals-ignore-case': 'ec2 instance' }] }, ec2Event)).toBe(false);
  });

  it('matches wildcards, with escaped asterisks', () => {
    expect(matches({ EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] }, { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/myBus' })).toBe(true);
    expect(matches({ FileName: [{ wildcard: 'dir/*.png' }] }, { FileName: 'dir/a.png' })).toBe(true);
    expect(matches({ FileName: [{ wildcard: 'dir/*.png' }] }, { FileName: 'dir/a.jpg' })).toBe(false);
    expect(matches({ Name: [{ wildcard: 'a\\*b' }] }, { Name: 'a*b' })).toBe(true);
    expect(matches({ Name: [{ wildcard: 'a\\*b' }] }, { Name: 'axxb' })).toBe(false);
  });

  it('matches IP addresses in a CIDR block', () => {
    expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, ec2Event)).toBe(false);
    expect(matches({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8:1::7' })).toBe(true);
    expect(matches({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db9::1' })).toBe(false);
  });
});

describe('$or', () => {
  it('matches when any alternative matches (c-count > 0 or d-count < 2)', () => {
    const pattern = { detail: { $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { 'd-count': [{ numeric: ['<', 5] }] }] } };
    expect(matches(pattern, ec2Event)).toBe(true);
    expect(matches({ detail: { $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { 'd-count': [{ numeric: ['<', 2] }] }] } }, ec2Event)).toBe(false);
  });

  it('combines $or with the other fields at its level (And)', () => {
    const pattern = { source: ['aws.ec2'], $or: [{ region: ['eu-north-1'] }, { detail: { state: ['terminated'] } }] };
    expect(matches(pattern, ec2Event)).toBe(true);
    expect(matches({ ...pattern, source: ['aws.s3'] }, ec2Event)).toBe(false);
  });
});

describe('the project’s own patterns', () => {
  it('routes CheckedIn from any hub to reporting, and nothing else', () => {
    const pattern = { source: [{ prefix: 'samverkan.hub.' }], 'detail-type': ['CheckedIn'] };
    expect(matches(pattern, { source: 'samverkan.hub.umea', 'detail-type': 'CheckedIn' })).toBe(true);
    expect(matches(pattern, { source: 'samverkan.hub.umea', 'detail-type': 'MemberRegistered' })).toBe(false);
    expect(matches(pattern, { source: 'evil.samverkan.hub.umea', 'detail-type': 'CheckedIn' })).toBe(false);
  });

  it('lets only inserted outbox items through the outbox pipe filter', () => {
    const filter = { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['outbox'] } } } };
    expect(matches(filter, { eventName: 'INSERT', dynamodb: { NewImage: { entity: { S: 'outbox' } } } })).toBe(true);
    expect(matches(filter, { eventName: 'REMOVE', dynamodb: { OldImage: { entity: { S: 'outbox' } } } })).toBe(false);
    expect(matches(filter, { eventName: 'INSERT', dynamodb: { NewImage: { entity: { S: 'visit' } } } })).toBe(false);
  });
});

describe('invalid patterns', () => {
  it.each<[unknown, string]>([
    [{ source: [] }, 'empty list'],
    [{ source: 'aws.ec2' }, 'bare value'],
    [{ detail: { n: [{ numeric: ['>'] }] } }, 'numeric without bound'],
    [{ detail: { n: [{ foo: 1 }] } }, 'unknown operator'],
    [{ $or: [{ a: ['b'] }] }, '$or with one branch'],
  ])('rejects %j (%s)', (pattern, _why) => {
    expect(() => matches(pattern, ec2Event)).toThrow(InvalidPatternError);
  });

  // What EventBridge (aws/event-ruler's JsonRuleCompiler) refuses; the reason names the problem.
  it.each<[unknown, RegExp]>([
    [{ a: [{ 'anything-but': { prefix: 5 } }] }, /prefix.*string/],
    [{ a: [{ 'anything-but': { suffix: null } }] }, /suffix.*string/],
    [{ a: [{ 'anything-but': { prefix: '' } }] }, /empty/i],
    [{ a: [{ 'anything-but': { prefix: 'a', suffix: 'b' } }] }, /one operator/],
    [{ a: [{ 'anything-but': { exists: true } }] }, /Unsupported "anything-but" operator/],
    [{ a: [{ 'anything-but': [{ prefix: 'a' }] }] }, /all strings or all numbers/],
    [{ a: [{ 'anything-but': ['a', 1] }] }, /all strings or all numbers/],
    [{ a: [{ 'anything-but': [] }] }, /empty/],
    [{ a: [{ 'anything-but': null }] }, /string, a number or a list/],
    [{ a: [{ 'anything-but': true }] }, /string, a number or a list/],
    [{ a: [{ 'anything-but': { 'equals-ignore-case': [1] } }] }, /equals-ignore-case.*string/],
    [{ a: [{ wildcard: 'a**b' }] }, /Consecutive wildcard/],
    [{ a: [{ 'anything-but': { wildcard: '**' } }] }, /Consecutive wildcard/],
    [{ a: [{ wildcard: 'a\\b' }] }, /escape/],
    [{ a: [['x']] }, /string, number, true, false or null/],
    [{ a: {} }, /Empty objects/],
  ])('rejects %j with the reason', (pattern, reason) => {
    expect(() => validatePattern(pattern)).toThrow(InvalidPatternError);
    expect(() => validatePattern(pattern)).toThrow(reason);
    // whatever event it meets
    expect(() => matches(pattern, { a: 'x' })).toThrow(reason);
    expect(() => matches(pattern, {})).toThrow(reason);
  });

  it('accepts what EventBridge accepts: anything-but lists of strings or numbers, prefix lists, escaped wildcards', () => {
    for (const p of [
      { a: [{ 'anything-but': ['a', 'b'] }] },
      { a: [{ 'anything-but': [1, 2.5] }] },
      { a: [{ 'anything-but': { prefix: ['x', 'y'] } }] },
      { a: [{ 'anything-but': { 'equals-ignore-case': ['x', 'y'] } }] },
      { a: [{ wildcard: 'a*b*c' }, { wildcard: 'a\\*b' }, { wildcard: 'a\\\\b' }] },
    ]) {
      expect(() => validatePattern(p)).not.toThrow();
    }
  });
});

describe('patterns in templates', () => {
  const template = (pattern: unknown): Record<string, CfnTemplate> => ({
    stack: { Resources: { Bad: { Type: 'AWS::Events::Rule', Properties: { EventBusName: 'b', EventPattern: pattern, Targets: [] } } } },
  });

  it('rejects a template whose rule has a pattern EventBridge refuses, naming the rule and the reason', () => {
    expect(() => checkTemplatePatterns(template({ detail: { id: [{ wildcard: 'a**' }] } }))).toThrow(/stack\/Bad.*Consecutive wildcard/);
    expect(() => checkTemplatePatterns(template(JSON.stringify({ a: [{ 'anything-but': ['a', 1] }] })))).toThrow(InvalidPatternError);
  });

  it('makes the local runtime refuse to start from such a template', async () => {
    const bad = template({ source: ['x'], detail: { kind: [{ 'anything-but': ['a', 1] }] } });
    await expect(startNetwork({ templates: bad, inMemory: true, dataDir: '/nonexistent/never-created' })).rejects.toThrow(/stack\/Bad.*all strings or all numbers/);
  });

  it('rejects a pipe whose filter EventBridge refuses', () => {
    const filters = [{ Pattern: JSON.stringify({ a: [{ 'anything-but': { prefix: 1 } }] }) }];
    const pipe: Record<string, CfnTemplate> = { stack: { Resources: { P: { Type: 'AWS::Pipes::Pipe', Properties: { SourceParameters: { FilterCriteria: { Filters: filters } } } } } } };
    expect(() => checkTemplatePatterns(pipe)).toThrow(/stack\/P.*prefix/);
  });

  it('accepts every pattern of the shipped templates', () => {
    const shipped = JSON.parse(readFileSync(inject('templatesFile'), 'utf8')) as Record<string, CfnTemplate>;
    expect(Object.keys(shipped).length).toBeGreaterThan(1);
    expect(() => checkTemplatePatterns(shipped)).not.toThrow();
  });
});
