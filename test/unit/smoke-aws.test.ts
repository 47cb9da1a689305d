import { describe, expect, it } from 'vitest';
import { loadSmokeUser, type Sender, setUpSmokeUser, signIn, stageOutputs, totp } from '../../scripts/smoke-aws.ts';

/** A recorded AWS client: every command (name, input), answered from a script. */
function recorded(answer: (name: string, input: Record<string, unknown>) => unknown) {
  const calls: Array<{ name: string; input: Record<string, unknown> }> = [];
  const client: Sender = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      calls.push({ name: command.constructor.name, input: command.input });
      const out = answer(command.constructor.name, command.input);
      if (out instanceof Error) throw out;
      return out;
    },
  };
  return { client, calls };
}

const named = (name: string, message = name) => Object.assign(new Error(message), { name });
const outputs = { webUrl: 'https://d111.cloudfront.net', userPoolId: 'eu-north-1_abc', clientId: 'client123' };
// RFC 6238's SHA-1 seed "12345678901234567890", in base32 as Cognito gives secrets.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('npm run smoke -- --stage: sign-in of its own', () => {
  it('computes TOTP codes as RFC 6238 does (its SHA-1 test vectors, last six digits)', () => {
    expect(totp(RFC_SECRET, 59_000)).toBe('287082');
    expect(totp(RFC_SECRET, 1_111_111_109_000)).toBe('081804');
    expect(totp(RFC_SECRET, 20_000_000_000_000)).toBe('353130');
  });

  it('takes the one origin and the pool from the national stack of the stage, and names a missing stack or output', async () => {
    const cfn = recorded(() => ({ Stacks: [{ Outputs: [{ OutputKey: 'WebUrl', OutputValue: outputs.webUrl }, { OutputKey: 'UserPoolId', OutputValue: outputs.userPoolId }, { OutputKey: 'UserPoolClientId', OutputValue: outputs.clientId }] }] }));
    expect(await stageOutputs(cfn.client, 'dev')).toEqual(outputs);
    expect(cfn.calls).toEqual([{ name: 'DescribeStacksCommand', input: { StackName: 'samverkan-dev-national' } }]);
    await expect(stageOutputs(recorded(() => named('ValidationError', 'Stack with id samverkan-dev-national does not exist')).client, 'dev')).rejects.toThrow(/deploy the stage first/);
    await expect(stageOutputs(recorded(() => ({ Stacks: [{ Outputs: [] }] })).client, 'prod')).rejects.toThrow(/samverkan-national has no output WebUrl/);
  });

  it('sets the test user up once: no invitation mail, a permanent password, both groups, its authenticator through MFA_SETUP, kept in Secrets Manager', async () => {
    const at = 1_900_000_000_000;
    const cognito = recorded((name) => {
      if (name === 'AdminInitiateAuthCommand') return { ChallengeName: 'MFA_SETUP', Session: 's1' };
      if (name === 'AssociateSoftwareTokenCommand') return { SecretCode: RFC_SECRET, Session: 's2' };
      if (name === 'VerifySoftwareTokenCommand') return { Status: 'SUCCESS', Session: 's3' };
      if (name === 'AdminRespondToAuthChallengeCommand') return { AuthenticationResult: { IdToken: 'id' } };
      return {};
    });
    const secrets = recorded(() => ({}));
    const { user, usedStep } = await setUpSmokeUser(cognito.client, secrets.client, outputs, 'dev', 'umea', { now: () => at });

    expect(cognito.calls.map((c) => c.name)).toEqual([
      'AdminCreateUserCommand',
      'AdminSetUserPasswordCommand',
      'AdminAddUserToGroupCommand',
      'AdminAddUserToGroupCommand',
      'AdminInitiateAuthCommand',
      'AssociateSoftwareTokenCommand',
      'VerifySoftwareTokenCommand',
      'AdminRespondToAuthChallengeCommand',
      'AdminSetUserMFAPreferenceCommand',
    ]);
    expect(cognito.calls[0]!.input).toMatchObject({ UserPoolId: outputs.userPoolId, Username: 'smoke-dev@umea.smoke.invalid', MessageAction: 'SUPPRESS' });
    expect(cognito.calls[1]!.input).toMatchObject({ Permanent: true, Password: user.password });
    expect(user.password).toMatch(/^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*[^A-Za-z0-9]).{14,}$/); // the pool's policy
    expect(cognito.calls.slice(2, 4).map((c) => c.input.GroupName)).toEqual(['staff-umea', 'national']);
    expect(cognito.calls[4]!.input).toMatchObject({ AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', ClientId: outputs.clientId, AuthParameters: { USERNAME: user.username, PASSWORD: user.password } });
    expect(cognito.calls[5]!.input).toEqual({ Session: 's1' });
    expect(cognito.calls[6]!.input).toMatchObject({ Session: 's2', UserCode: totp(RFC_SECRET, at) });
    expect(cognito.calls[7]!.input).toMatchObject({ ChallengeName: 'MFA_SETUP', Session: 's3' });
    expect(user).toEqual({ username: 'smoke-dev@umea.smoke.invalid', password: user.password, totpSecret: RFC_SECRET });
    expect(usedStep).toBe(Math.floor(at / 30_000));
    expect(secrets.calls).toEqual([{ name: 'CreateSecretCommand', input: expect.objectContaining({ Name: 'samverkan-dev-smoke-user', SecretString: JSON.stringify(user) }) }]);
  });

  it('sets up again over an existing user (a new user, so its old authenticator goes) and an existing secret', async () => {
    let creates = 0;
    const cognito = recorded((name) => {
      if (name === 'AdminCreateUserCommand' && creates++ === 0) return named('UsernameExistsException');
      if (name === 'AdminInitiateAuthCommand') return { ChallengeName: 'MFA_SETUP', Session: 's1' };
      if (name === 'AssociateSoftwareTokenCommand') return { SecretCode: RFC_SECRET, Session: 's2' };
      if (name === 'VerifySoftwareTokenCommand') return { Status: 'SUCCESS', Session: 's3' };
      return {};
    });
    const secrets = recorded((name) => (name === 'CreateSecretCommand' ? named('ResourceExistsException') : {}));
    await setUpSmokeUser(cognito.client, secrets.client, outputs, 'dev', 'umea');
    expect(cognito.calls.slice(0, 3).map((c) => c.name)).toEqual(['AdminCreateUserCommand', 'AdminDeleteUserCommand', 'AdminCreateUserCommand']);
    expect(secrets.calls.map((c) => c.name)).toEqual(['CreateSecretCommand', 'PutSecretValueCommand']);
  });

  it('signs in with the password and the current TOTP code, waiting for the next 30 seconds when set-up just spent this one', async () => {
    let now = 1_900_000_010_000;
    const waited: number[] = [];
    const cognito = recorded((name) => (name === 'AdminInitiateAuthCommand' ? { ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 'sx' } : { AuthenticationResult: { IdToken: 'the-id-token' } }));
    const user = { username: 'smoke-dev@umea.smoke.invalid', password: 'pw', totpSecret: RFC_SECRET };
    const token = await signIn(cognito.client, outputs, user, Math.floor(now / 30_000), {
      now: () => now,
      wait: async (ms) => {
        waited.push(ms);
        now += ms;
      },
    });
    expect(token).toBe('the-id-token');
    expect(waited).toHaveLength(1);
    expect(Math.floor(now / 30_000)).toBe(Math.floor(1_900_000_010_000 / 30_000) + 1);
    expect(cognito.calls[1]).toEqual({
      name: 'AdminRespondToAuthChallengeCommand',
      input: { UserPoolId: outputs.userPoolId, ClientId: outputs.clientId, ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 'sx', ChallengeResponses: { USERNAME: user.username, SOFTWARE_TOKEN_MFA_CODE: totp(RFC_SECRET, now) } },
    });
    // An authenticator that was never set up asks for something else: run --setup.
    const unset = recorded(() => ({ ChallengeName: 'MFA_SETUP', Session: 's' }));
    await expect(signIn(unset.client, outputs, user)).rejects.toThrow(/--setup/);
  });

  it('finds no test user when the secret does not exist, and passes other errors on', async () => {
    expect(await loadSmokeUser(recorded(() => named('ResourceNotFoundException')).client, 'dev')).toBeUndefined();
    await expect(loadSmokeUser(recorded(() => named('AccessDeniedException')).client, 'dev')).rejects.toThrow(/AccessDenied/);
    const stored = { username: 'u', password: 'p', totpSecret: RFC_SECRET };
    expect(await loadSmokeUser(recorded(() => ({ SecretString: JSON.stringify(stored) })).client, 'dev')).toEqual(stored);
  });
});
