import { describe, expect, it } from 'vitest';
import { loadHubs } from '../../hubs/load.ts';
import { LOCAL } from '../../local/cfn.ts';
import { groupsFor } from '../../local/idp.ts';
import { localAppConfig, seededUsers } from '../../local/oidc.ts';

describe('the local sign-in', () => {
  it('seeds one staff user per hub file, a national administrator and a researcher', () => {
    const hubs = loadHubs().map((h) => h.id);
    const users = seededUsers();
    expect(users.map((u) => u.username).sort()).toEqual([...hubs.map((h) => `${h}-staff`), 'national', 'researcher'].sort());
    for (const hub of hubs) expect(groupsFor('staff', users.find((u) => u.username === `${hub}-staff`)?.hub)).toEqual([`staff-${hub}`]);
    expect(users.find((u) => u.username === 'national')?.role).toBe('national');
  });

  it('points the staff app at the provider on its own origin', () => {
    expect(localAppConfig('http://127.0.0.1:3000')).toEqual({
      oidc: { authority: 'http://127.0.0.1:3000/oidc', clientId: LOCAL.userPoolClientId, redirectUri: 'http://127.0.0.1:3000/', postLogoutRedirectUri: 'http://127.0.0.1:3000/', scope: 'openid email profile' },
    });
  });
});
