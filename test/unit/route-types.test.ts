import { describe, expect, expectTypeOf, it } from 'vitest';
import { hubRoutes, nationalRoutes, pathParams } from '../../functions/api/contract.ts';
import type { RouteHandlers, RouteInput } from '../../functions/shared/http.ts';

type HubHandlers = RouteHandlers<typeof hubRoutes>;
type Input<Op extends keyof HubHandlers> = Parameters<HubHandlers[Op]>[0];

describe('route handlers are typed from the contract (checked by `npm run typecheck`)', () => {
  it('give each handler its body, query and path parameters as the zod schemas parse them', () => {
    expectTypeOf<Input<'createMember'>['body']>().toEqualTypeOf<{
      name: string;
      email: string;
      organisationId: string;
      employerLocation?: string | undefined;
      employerMunicipality?: string | undefined;
      membership: 'member' | 'guest' | 'business-partner';
      language?: 'sv' | 'en' | undefined;
    }>();
    expectTypeOf<Input<'searchMembers'>['query']>().toEqualTypeOf<{ q: string; limit?: number | undefined }>();
    expectTypeOf<Input<'cancelBooking'>['params']>().toEqualTypeOf<{ hubId: string; bookingId: string }>();
    expectTypeOf<Input<'getMember'>['body']>().toEqualTypeOf<undefined>();
    expectTypeOf<Parameters<RouteHandlers<typeof nationalRoutes>['nationalReport']>[0]['query']>().toEqualTypeOf<{ from?: string | undefined; to?: string | undefined; hub?: string | undefined; period: 'day' | 'week' | 'month' | 'quarter' | 'year'; format: 'json' | 'csv' }>();
    expectTypeOf<RouteInput['params']>().toEqualTypeOf<Record<string, string>>();
  });

  it('derive the path parameters of every route from its path', () => {
    for (const route of [...hubRoutes, ...nationalRoutes]) {
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(Object.keys(route.params.shape), route.operationId).toEqual(names);
    }
    expect(pathParams('/a/{hubId}/b/{memberId}').safeParse({ hubId: 'umea', memberId: '€'.repeat(700) }).success).toBe(false);
  });
});
