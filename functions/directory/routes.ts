import type { HubConfig } from '../../hubs/schema.ts';
import { badRequest } from '../shared/errors.ts';
import type { RouteHandlers } from '../shared/http.ts';
import type { directoryHubRoutes, directoryNationalRoutes } from './contract.ts';
import { type DirectoryIndex, type DirectoryService, searchDirectory, words } from './directory.ts';
import { isCursor } from './store.ts';

/** The hub API's handlers of the directory routes: the member's own hub opts them in and out. */
export function directoryHubHandlers(hub: HubConfig, directory: DirectoryService): RouteHandlers<typeof directoryHubRoutes> {
  return {
    getDirectoryProfile: async ({ params }) => ({ body: await directory.state(params.memberId) }),
    publishDirectoryProfile: async ({ params, body, correlationId }) => ({ body: { ...(await directory.publish(params.memberId, body, correlationId)), hubName: hub.name } }),
    withdrawDirectoryProfile: async ({ params, correlationId }) => ({ body: await directory.withdraw(params.memberId, correlationId) }),
  };
}

/** The national API's handler of the directory search (staff of any hub, national administrators). */
export function directoryNationalHandlers(hubs: HubConfig[], index: DirectoryIndex): RouteHandlers<typeof directoryNationalRoutes> {
  const names = new Map(hubs.map((h) => [h.id, h.name]));
  return {
    searchDirectory: async ({ query }) => {
      if (query.hub && !names.has(query.hub)) throw badRequest('Invalid request: query.hub', [{ path: 'query.hub', message: 'Not a hub of the network' }]);
      if (query.cursor && !isCursor(query.cursor, words(query.q ?? '').length > 0)) {
        throw badRequest('Invalid request: query.cursor', [{ path: 'query.cursor', message: 'Not a cursor of this search (use nextCursor as given)' }]);
      }
      const { profiles, nextCursor } = await searchDirectory(index, query);
      return { body: { profiles: profiles.map((p) => ({ ...p, hubName: names.get(p.hubId) })), ...(nextCursor ? { nextCursor } : {}) } };
    },
  };
}
